"""Worker memory over a long run: articles through a real Celery worker, its RSS sampled.

Run ``python -m bench.worker_memory`` against running services (``newsloom services up``).
Each article is two tasks (``enrich_article``, then the ``index_article`` it queues); they are
sent in batches and the worker's resident memory (main process and prefork children) is read
from ``/proc`` after each batch is indexed. The worker gets a Redis database of its own
(broker and shared state: ``--redis-db``, which must be empty, and is emptied again at the
end) and an index alias of its own (deleted at the end). Its children are not recycled (no
``--max-tasks-per-child``, which ``newsloom worker`` sets as a safety net), so a leak shows.
Articles are the seeds and corpus bodies of ``bench.enrichment`` under fresh URLs.
"""

from __future__ import annotations

import resource
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from elasticsearch import Elasticsearch
from pydantic import RedisDsn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bench.enrichment import load_articles
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article
from newsloom.settings import Settings, get_settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import worker_process
from ops.dev.local.supervision import wait_until
from search.client import create_client
from search.templates import ensure_index, remove_index
from workers.app import create_celery

__all__ = ["Sample", "main", "process_tree_rss_mib"]

console = Console(highlight=False)


@dataclass(frozen=True)
class Sample:
    """The worker's memory after some articles, with the time they took."""

    articles: int
    main_mib: float
    children_mib: tuple[float, ...]
    seconds: float

    @property
    def total_mib(self) -> float:
        """Resident memory of the whole worker (main process and children)."""
        return self.main_mib + sum(self.children_mib)


def _rss_mib(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def process_tree_rss_mib(pid: int) -> tuple[float, tuple[float, ...]]:
    """Resident MiB of process ``pid`` and of each of its children (Linux ``/proc``)."""
    return _rss_mib(pid), tuple(_rss_mib(child) for child in _children(pid))


def _bench_settings(settings: Settings, redis_db: int) -> Settings:
    url = str(settings.redis_url).rsplit("/", 1)[0] + f"/{redis_db}"
    return settings.model_copy(
        update={"redis_url": RedisDsn(url), "index_alias": f"bench-memory-{uuid.uuid4().hex[:8]}"}
    )


def _send_and_wait(
    settings: Settings, es: Elasticsearch, batch: list[Article], expected: int, timeout_s: float
) -> None:
    celery = create_celery(settings)
    for article in batch:
        celery.send_task(ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE)

    def indexed() -> bool:
        es.indices.refresh(index=settings.index_alias)
        return int(es.count(index=settings.index_alias)["count"]) >= expected

    if not wait_until(indexed, timeout_s, interval_s=1.0):
        console.print(
            f"[red]error:[/red] {expected} articles were not indexed within {timeout_s:.0f} s; "
            "read the worker log under the state dir (logs/bench-worker.log)"
        )
        raise typer.Exit(code=1)


def _run(
    settings: Settings, es: Elasticsearch, worker: BackgroundProcess, articles: list[Article]
) -> list[Sample]:
    pid = worker.pid
    if pid is None:
        raise RuntimeError("the worker is not running")
    samples = [Sample(0, *process_tree_rss_mib(pid), 0.0)]
    batch_size = max(1, len(articles) // 10)
    started = time.monotonic()
    with Progress(
        TextColumn("articles"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("articles", total=len(articles))
        for start in range(0, len(articles), batch_size):
            batch = articles[start : start + batch_size]
            done = start + len(batch)
            _send_and_wait(settings, es, batch, done, timeout_s=60 + 2 * len(batch))
            elapsed = time.monotonic() - started
            samples.append(Sample(done, *process_tree_rss_mib(pid), elapsed))
            progress.update(task, completed=done)
    return samples


def _table(samples: list[Sample], concurrency: int) -> Table:
    table = Table(title=f"worker RSS (MiB), concurrency {concurrency}, children not recycled")
    for column in ("articles", "tasks", "main", "children", "total", "elapsed s", "articles/s"):
        table.add_column(column, justify="right")
    for sample in samples:
        rate = sample.articles / sample.seconds if sample.seconds else 0.0
        table.add_row(
            f"{sample.articles:,}",
            f"{2 * sample.articles:,}",
            f"{sample.main_mib:.0f}",
            " + ".join(f"{child:.0f}" for child in sample.children_mib),
            f"{sample.total_mib:.0f}",
            f"{sample.seconds:.0f}",
            f"{rate:.1f}" if rate else "-",
        )
    return table


def _summary(samples: list[Sample]) -> Table:
    # The first batch loads the models and warms caches: growth is measured from there.
    start, middle, end = samples[1], samples[len(samples) // 2], samples[-1]
    table = Table(title="flat? (from the first batch on)")
    for column in ("", "articles", "total MiB", "x start"):
        table.add_column(column, justify="right")
    for name, sample in (("start", start), ("middle", middle), ("end", end)):
        table.add_row(
            name,
            f"{sample.articles:,}",
            f"{sample.total_mib:.0f}",
            f"{sample.total_mib / start.total_mib:.3f}",
        )
    return table


def main(
    articles: Annotated[int, typer.Option(min=10, help="Articles to send (2 tasks each).")] = 5000,
    concurrency: Annotated[int, typer.Option(min=1, help="Worker child processes.")] = 2,
    redis_db: Annotated[int, typer.Option(help="Empty Redis database for the run.")] = 14,
) -> None:
    """Send articles through a real worker in ten batches and print its memory after each."""
    settings = _bench_settings(get_settings(), redis_db)
    client = redis_client(settings)
    if client.dbsize():
        console.print(f"[red]error:[/red] Redis database {redis_db} is not empty; pass --redis-db")
        raise typer.Exit(code=1)
    es = create_client(settings)
    ensure_index(es, settings.index_alias)
    rounds = -(-articles // len(load_articles(1)))
    stream = load_articles(rounds)[:articles]
    worker = worker_process(settings, name="bench-worker", concurrency=concurrency)
    try:
        with worker:
            worker.start(timeout_s=120)
            samples = _run(settings, es, worker, stream)
    finally:
        remove_index(es, settings.index_alias)
        client.flushdb()
    console.print(_table(samples, concurrency))
    console.print(_summary(samples))


if __name__ == "__main__":
    typer.run(main)
