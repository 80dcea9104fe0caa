"""Published -> searchable through WebSub, against crawling at publication, in one run.

``python -m bench.websub [--articles N]`` against the local services (`newsloom services
up`): the wire site with its own hub, an enrichment worker, a crawl worker and the receiver,
all real processes on loopback. The baseline is the manual path measured first, while no
subscription is active: `newsloom crawl` started the moment an article is published.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Annotated

import httpx
import typer
from elasticsearch import Elasticsearch
from pydantic import HttpUrl, RedisDsn
from rich.console import Console
from rich.table import Table

from bench.pipeline import _percentiles
from crawler.urls import canonical_url
from crawler.websub.subscriptions import SubscriptionStore
from newsloom.settings import Settings, get_settings
from newsloom.state import redis_client
from ops.dev.local.launch import (
    crawl_worker_process,
    websub_receiver_process,
    websub_wire_process,
    worker_process,
)
from ops.dev.local.supervision import wait_until
from ops.dev.websub_wire.app import SOURCE_ID, write_sources
from search.client import create_client
from search.templates import ensure_index, remove_index

console = Console()
_CRAWL = [sys.executable, "-m", "newsloom_cli", "crawl", SOURCE_ID]


def _searchable(es: Elasticsearch, alias: str, url: str) -> bool:
    return int(es.count(index=alias, query={"term": {"canonical_url": url}})["count"]) > 0


def _latencies(
    origin: str, es: Elasticsearch, alias: str, articles: int, crawl: dict[str, str] | None
) -> list[float | None]:
    """Seconds from each publication to searchable.

    With ``crawl`` (the environment of the crawl), `newsloom crawl` runs at publication.
    """
    found: list[float | None] = []
    for _ in range(articles):
        url = canonical_url(httpx.post(f"{origin}/publish", timeout=30).text)
        published = time.monotonic()
        if crawl is not None:
            subprocess.run(_CRAWL, check=True, capture_output=True, env=crawl)  # noqa: S603
        ok = wait_until(partial(_searchable, es, alias, url), 150, interval_s=0.1)
        found.append(time.monotonic() - published if ok else None)
    return found


def _median(values: list[float | None]) -> float:
    return statistics.median(value for value in values if value is not None)


def main(
    articles: Annotated[int, typer.Option(min=1, help="Articles published per path.")] = 10,
    redis_db: Annotated[int, typer.Option(help="Empty Redis database for the run.")] = 11,
) -> None:
    """Publish articles on the wire site, measure both paths, print the table."""
    base = get_settings()
    state_dir = Path(tempfile.mkdtemp(prefix="newsloom-bench-websub-"))
    url = str(base.redis_url).rsplit("/", 1)[0] + f"/{redis_db}"
    port = 18090 + redis_db
    settings: Settings = base.model_copy(update={
        "redis_url": RedisDsn(url), "state_dir": state_dir,
        "index_alias": f"bench-websub-{uuid.uuid4().hex[:8]}",
        "websub_callback_url": HttpUrl(f"http://127.0.0.1:{port}"),
    })  # fmt: skip
    client = redis_client(settings)
    if client.dbsize():
        raise typer.BadParameter(f"Redis database {redis_db} is not empty; pass --redis-db")
    es = create_client(settings)
    ensure_index(es, settings.index_alias)
    try:
        with websub_wire_process(settings) as wire:
            origin = wire.start()["origin"]
            settings = settings.model_copy(
                update={"sources_file": write_sources(state_dir, origin)}
            )
            env = {**os.environ, **settings.as_environment()}
            with (
                worker_process(settings, name="bench-websub-worker") as worker,
                crawl_worker_process(settings) as crawl_worker,
            ):
                worker.start(timeout_s=180)
                crawl_worker.start(timeout_s=180)
                # Reads the feed, so the hub is known; the receiver is not up yet.
                subprocess.run(_CRAWL, check=True, capture_output=True, env=env)  # noqa: S603
                console.print(f"manual path: {articles} articles")
                manual = _latencies(origin, es, settings.index_alias, articles, env)
                with websub_receiver_process(settings, port) as receiver:
                    receiver.start(timeout_s=60)
                    store = SubscriptionStore(client)
                    if not wait_until(lambda: store.all()[0].state == "active", 60):
                        raise RuntimeError(f"no subscription; see {receiver.log_path}")
                    console.print(f"push path: {articles} articles")
                    pushed = _latencies(origin, es, settings.index_alias, articles, None)
    finally:
        remove_index(es, settings.index_alias)
        client.flushdb()
    table = Table(title=f"published -> searchable, {articles} articles per path, same run")
    table.add_column("path")
    table.add_column("latency", justify="right")
    table.add_column("median vs baseline", justify="right")
    table.add_row("baseline: `newsloom crawl` at publication", _percentiles(manual), "1.00")
    ratio = _median(pushed) / _median(manual)
    table.add_row(
        "WebSub push (hub -> receiver -> crawl worker)", _percentiles(pushed), f"{ratio:.2f}"
    )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
