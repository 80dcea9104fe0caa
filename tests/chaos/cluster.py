"""A pipeline of a chaos test's own: its Redis server, workers with metrics, an index alias.

Chaos tests stop and kill these on purpose, so none of them is the session's: each test gets
a Redis server on a free loopback port with its state under a fresh directory, and workers
that serve their metrics (prefork children summed through a multiprocess directory). Only
Elasticsearch is the session's, under an alias of the test's own, unless the test brings its
own node too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from prometheus_client.samples import Sample
from pydantic import RedisDsn
from rich.console import Console

from bench.search import generated_articles
from newsloom.queues import ALL_QUEUES, ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.elasticsearch_server import (
    TRANSPORT_PORT_OFFSET,
    start_elasticsearch,
    stop_elasticsearch,
)
from ops.dev.local.launch import worker_process
from ops.dev.local.redis_server import start_redis, stop_redis
from ops.dev.local.supervision import wait_until
from ops.prometheus.queues import QueueDepthCollector
from search.client import create_client
from search.templates import ensure_index, remove_index
from tests.ops.test_metrics_crawler import free_port, scrape, value
from workers.app import create_celery
from workers.metrics import MULTIPROC_ENV

__all__ = [
    "QUIET",
    "ChaosWorker",
    "articles_for",
    "assert_indexed_exactly_once",
    "chaos_pipeline",
    "exited",
    "indexed_count",
    "kill_process_group",
    "private_elasticsearch",
    "restart_redis",
    "send_articles",
    "work_in_redis",
]

QUIET = Console(stderr=True, quiet=True)


@dataclass
class ChaosWorker:
    """A running worker and the port its metrics are served on."""

    process: BackgroundProcess
    metrics_port: int

    def samples(self) -> list[Sample]:
        """Everything the worker's metrics endpoint serves now."""
        return scrape(f"http://127.0.0.1:{self.metrics_port}/metrics")

    def metric(self, name: str, **labels: str) -> float:
        """The sum of the worker's samples ``name`` with ``labels``."""
        return value(self.samples(), name, **labels)

    @property
    def pid(self) -> int:
        """The worker's main process id (it leads its own process group)."""
        assert self.process.pid is not None, "the worker is not running"
        return self.process.pid


@dataclass(frozen=True)
class ChaosPipeline:
    """Settings reaching the test's own Redis and alias, and where its workers keep state."""

    settings: Settings
    root: Path

    def worker(self, name: str, concurrency: int = 2) -> ChaosWorker:
        """A worker on every pipeline queue, serving metrics; started by the caller."""
        port = free_port()
        process = worker_process(
            self.settings.model_copy(update={"worker_metrics_port": port}),
            name=name,
            queues=ALL_QUEUES,
            concurrency=concurrency,
        )
        process.env[MULTIPROC_ENV] = str(self.root / f"multiproc-{name}")
        return ChaosWorker(process, port)


@contextmanager
def chaos_pipeline(
    services: Settings, es: Elasticsearch, name: str, **updates: Any
) -> Iterator[ChaosPipeline]:
    """Start a private Redis server and create a fresh alias; remove both afterwards."""
    root = Path(tempfile.mkdtemp(prefix=f"newsloom-chaos-{name}-"))
    # Validated afresh, not model_copy: that would keep the cached ports of ``services``.
    settings = Settings.model_validate(
        {
            **services.model_dump(),
            "redis_url": RedisDsn(f"redis://127.0.0.1:{free_port()}/0"),
            "state_dir": root,
            "index_alias": f"chaos-{name}-{uuid.uuid4().hex[:8]}",
            **updates,
        }
    )
    try:
        start_redis(settings, QUIET)
        ensure_index(es, settings.index_alias)
        yield ChaosPipeline(settings, root)
    finally:
        stop_redis(settings, QUIET)
        remove_index(es, settings.index_alias)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def private_elasticsearch(services: Settings) -> Iterator[tuple[Settings, Elasticsearch]]:
    """A node of the test's own (to stop and start), on free ports; removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="newsloom-chaos-es-"))
    # Elasticsearch runs as its own user when we are root: it must be able to enter the dir.
    root.chmod(0o711)
    port = free_port()
    while _taken(port + TRANSPORT_PORT_OFFSET):
        port = free_port()
    settings = Settings.model_validate(
        {
            **services.model_dump(),
            "elasticsearch_url": f"http://127.0.0.1:{port}",
            "elasticsearch_heap": "512m",
            "state_dir": root,
        }
    )
    try:
        start_elasticsearch(settings, QUIET)
        yield settings, create_client(settings)
    finally:
        stop_elasticsearch(settings, QUIET)
        shutil.rmtree(root, ignore_errors=True)


def _taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def restart_redis(settings: Settings, down_s: float) -> None:
    """Stop the pipeline's Redis (it saves its append-only file), wait, start it again."""
    stop_redis(settings, QUIET)
    time.sleep(down_s)
    start_redis(settings, QUIET)


def kill_process_group(pid: int) -> None:
    """SIGKILL a whole process group, as the OOM killer or a lost host does to a worker."""
    os.killpg(pid, signal.SIGKILL)
    assert wait_until(lambda: exited(pid), 10)


def exited(pid: int) -> bool:
    """Whether process ``pid`` has ended (gone, or a zombie its parent has not reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True


def articles_for(test: str, count: int) -> list[Article]:
    """``count`` distinct articles under URLs naming ``test``."""
    articles = []
    for number, article in enumerate(generated_articles(count)):
        url = f"http://127.0.0.1/chaos/{test}/{number}"
        articles.append(article.model_copy(update={"url": url, "canonical_url": url}))
    return articles


def send_articles(settings: Settings, articles: Iterable[Article]) -> None:
    """Queue each article for enrichment, as the crawler does."""
    with create_celery(settings) as celery:
        for article in articles:
            celery.send_task(
                ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE
            )


def work_in_redis(settings: Settings) -> str:
    """Where the pipeline's unfinished messages are, for a failing test's message."""
    with redis_client(settings) as client:
        metrics = QueueDepthCollector(client, ALL_QUEUES).collect()
        return ", ".join(
            f"{sample.name}{sample.labels or ''}={sample.value:g}"
            for metric in metrics
            for sample in metric.samples
        )


def indexed_count(es: Elasticsearch, alias: str) -> int:
    """Documents under ``alias`` now."""
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def assert_indexed_exactly_once(es: Elasticsearch, alias: str, articles: list[Article]) -> None:
    """The alias holds every article once by ``_id`` and once by canonical URL, nothing else."""
    es.indices.refresh(index=alias)
    hits = es.search(
        index=alias,
        size=len(articles) + 50,
        source={"includes": ["canonical_url"]},
        query={"match_all": {}},
    )["hits"]["hits"]
    ids = [hit["_id"] for hit in hits]
    urls = [hit["_source"]["canonical_url"] for hit in hits]
    assert len(ids) == len(set(ids)), "an article is indexed twice under one id"
    assert sorted(urls) == sorted(article.canonical_url for article in articles), (
        f"{len(urls)} documents for {len(articles)} articles"
    )
    assert set(ids) == {article.id for article in articles}
