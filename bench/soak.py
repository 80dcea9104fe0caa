"""Soak: N articles through 2 producers and 2 workers, a worker kill -9 and a Redis restart.

Run ``python -m bench.soak --articles 500`` against a running Elasticsearch (``newsloom
services up``); the soak starts a Redis server of its own on a free loopback port (it
restarts it on purpose), an index alias of its own, two producer processes that queue the
articles as the crawler's enqueue pipeline does (``newsloom.messaging.task_sender``; the
crawler itself is not run, so the fault lands on the queue side only) and two workers. Once
a third of the articles is indexed, one worker's whole process group is killed (SIGKILL, as
an OOM kill does) and a replacement started, as a supervisor would; at two thirds, Redis is
stopped and started again. It passes when exactly N documents, N distinct canonical URLs,
are indexed and nothing is quarantined. Printed: throughput per phase with its ratio to the
undisturbed first phase, peak RSS per process, and queue depth over time.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import redis
import typer
from elasticsearch import Elasticsearch
from kombu.exceptions import OperationalError
from pydantic import RedisDsn
from rich.console import Console
from rich.table import Table

from bench.search import generated_articles
from bench.worker_memory import process_tree_rss_mib
from newsloom import quarantine
from newsloom.messaging import task_sender
from newsloom.queues import ALL_QUEUES, ENRICH_QUEUE, ENRICH_TASK
from newsloom.settings import Settings, get_settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import worker_process
from ops.dev.local.redis_server import start_redis, stop_redis
from search.client import create_client
from search.templates import ensure_index, remove_index

__all__ = ["main"]

console = Console(highlight=False)
_QUIET = Console(stderr=True, quiet=True)
_SAMPLE_EVERY_S = 2.0
_REDIS_DOWN_S = 5.0


@dataclass
class Run:
    """What the soak observed: samples over time, phase marks, peak memory per process."""

    samples: list[tuple[float, int, int, int]] = field(default_factory=list)
    marks: dict[str, tuple[float, int]] = field(default_factory=dict)
    peak_rss_mib: dict[str, float] = field(default_factory=dict)


def _soak_settings(root: Path, port: int) -> Settings:
    return Settings.model_validate(
        {
            **get_settings().model_dump(),
            "redis_url": RedisDsn(f"redis://127.0.0.1:{port}/0"),
            "state_dir": root,
            "index_alias": f"bench-soak-{uuid.uuid4().hex[:8]}",
        }
    )


def _produce(settings: Settings, start: int, stop: int, total: int) -> None:
    """Queue articles ``start``..``stop`` of the run, retrying a send while Redis is away."""
    celery = task_sender(settings, "soak-producer")
    for article in itertools.islice(generated_articles(total), start, stop):
        document = article.model_dump(mode="json")
        while True:
            try:
                celery.send_task(ENRICH_TASK, args=(document,), queue=ENRICH_QUEUE)
                break
            except OperationalError:
                time.sleep(1.0)


def _indexed(es: Elasticsearch, alias: str) -> int:
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def _distinct_urls(es: Elasticsearch, alias: str) -> int:
    """Exactly, page by page: a cardinality aggregation is an estimate, off by one at 10,000."""
    distinct, after = 0, None
    while True:
        composite: dict[str, object] = {
            "size": 5000, "sources": [{"url": {"terms": {"field": "canonical_url"}}}]
        }  # fmt: skip
        if after is not None:
            composite["after"] = after
        result = es.search(index=alias, size=0, aggs={"urls": {"composite": composite}})
        buckets = result["aggregations"]["urls"]["buckets"]
        distinct += len(buckets)
        after = result["aggregations"]["urls"].get("after_key")
        if not buckets or after is None:
            return distinct


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sample(run: Run, settings: Settings, es: Elasticsearch, processes: dict[str, int]) -> int:
    """Record depth, held messages and memory now; return how many are indexed."""
    indexed = _indexed(es, settings.index_alias)
    try:
        with redis_client(settings, timeout_s=1.0) as client:
            depth = sum(int(client.llen(queue)) for queue in ALL_QUEUES)
            held = int(client.zcard("unacked_index"))
    except redis.RedisError:  # Redis is being restarted: record the gap, go on
        depth = held = -1
    run.samples.append((time.monotonic(), indexed, depth, held))
    for name, pid in processes.items():
        try:
            main, children = process_tree_rss_mib(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        for label, mib in [
            (name, main),
            *((f"{name} child {i}", c) for i, c in enumerate(children)),
        ]:
            run.peak_rss_mib[label] = max(run.peak_rss_mib.get(label, 0.0), mib)
    return indexed


def _worker(settings: Settings, name: str, concurrency: int) -> BackgroundProcess:
    process = worker_process(settings, name=name, concurrency=concurrency)
    process.start(timeout_s=180)
    return process


def _drain(
    settings: Settings, es: Elasticsearch, total: int, concurrency: int, timeout_s: float
) -> Run:
    """Produce, consume, inject the two faults on the way; return what was observed."""
    run = Run()
    workers = {f"worker-{n}": _worker(settings, f"soak-worker-{n}", concurrency) for n in (1, 2)}
    context = multiprocessing.get_context("fork")
    half = total // 2
    producers = [
        context.Process(target=_produce, args=(settings, start, stop, total), name=name)
        for name, start, stop in (("producer-1", 0, half), ("producer-2", half, total))
    ]
    started = time.monotonic()
    run.marks["start"] = (started, 0)
    for producer in producers:
        producer.start()
    try:
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            pids = {name: w.pid for name, w in workers.items() if w.pid is not None}
            pids |= {p.name: p.pid for p in producers if p.pid is not None and p.is_alive()}
            indexed = _sample(run, settings, es, pids)
            if indexed >= total:
                break
            if "kill" not in run.marks and indexed >= total // 3:
                run.marks["kill"] = (time.monotonic(), indexed)
                doomed = workers.pop("worker-1")
                assert doomed.pid is not None
                os.killpg(doomed.pid, signal.SIGKILL)
                doomed.stop()  # reaps it
                workers["worker-1b"] = _worker(settings, "soak-worker-1b", concurrency)
            elif "kill" in run.marks and "redis" not in run.marks and indexed >= 2 * total // 3:
                run.marks["redis"] = (time.monotonic(), indexed)
                stop_redis(settings, _QUIET)
                time.sleep(_REDIS_DOWN_S)
                start_redis(settings, _QUIET)
            time.sleep(_SAMPLE_EVERY_S)
        run.marks["end"] = (time.monotonic(), _indexed(es, settings.index_alias))
    finally:
        for producer in producers:
            producer.join(timeout=30)
        for worker in workers.values():
            worker.stop()
    return run


def _phase_table(run: Run) -> Table:
    table = Table(title="throughput by phase (articles indexed per second)")
    for column in ("phase", "articles", "seconds", "articles/s", "ratio to undisturbed"):
        table.add_column(column, justify="right" if column != "phase" else "left")
    names = [name for name in ("start", "kill", "redis", "end") if name in run.marks]
    labels = {
        "start": "undisturbed",
        "kill": "after worker kill -9",
        "redis": "after Redis restart",
    }
    baseline = None
    for first, second in itertools.pairwise(names):
        (t0, n0), (t1, n1) = run.marks[first], run.marks[second]
        rate = (n1 - n0) / max(t1 - t0, 1e-9)
        baseline = baseline or rate
        table.add_row(labels[first], str(n1 - n0), f"{t1 - t0:.0f}", f"{rate:.1f}",
                      f"{rate / baseline:.2f}")  # fmt: skip
    (t0, _), (t1, n1) = run.marks["start"], run.marks["end"]
    table.add_row("whole run", str(n1), f"{t1 - t0:.0f}", f"{n1 / (t1 - t0):.1f}",
                  f"{n1 / (t1 - t0) / (baseline or 1):.2f}")  # fmt: skip
    return table


def _depth_table(run: Run, rows: int = 15) -> Table:
    table = Table(title="queue depth over time (-1: Redis down)")
    for column in ("t (s)", "indexed", "waiting", "unacked"):
        table.add_column(column, justify="right")
    started = run.marks["start"][0]
    step = max(1, len(run.samples) // rows)
    chosen = run.samples[::step]
    if run.samples and chosen[-1] is not run.samples[-1]:
        chosen.append(run.samples[-1])
    for at, indexed, depth, held in chosen:
        table.add_row(f"{at - started:.0f}", str(indexed), str(depth), str(held))
    return table


def _rss_table(run: Run) -> Table:
    table = Table(title="peak resident memory per process (MiB)")
    table.add_column("process")
    table.add_column("peak RSS", justify="right")
    for name, mib in sorted(run.peak_rss_mib.items()):
        table.add_row(name, f"{mib:.0f}")
    return table


def main(
    articles: Annotated[int, typer.Option(min=30, help="Articles to send.")] = 10_000,
    concurrency: Annotated[int, typer.Option(min=1, help="Pool processes per worker.")] = 2,
    timeout_s: Annotated[float, typer.Option(help="Give up after this long.")] = 3600.0,
) -> None:
    """Soak the queue side with faults; exit 1 unless exactly ``articles`` are indexed once."""
    root = Path(tempfile.mkdtemp(prefix="newsloom-soak-"))
    settings = _soak_settings(root, _free_port())
    es = create_client(settings)
    start_redis(settings, _QUIET)
    try:
        ensure_index(es, settings.index_alias)
        run = _drain(settings, es, articles, concurrency, timeout_s)
        indexed = _indexed(es, settings.index_alias)
        distinct = _distinct_urls(es, settings.index_alias)
        with redis_client(settings) as client:
            quarantined = quarantine.count(client)
        summary = Table(title=f"soak: {articles} articles, 2 producers, 2 workers")
        for column in ("sent", "indexed", "distinct URLs", "quarantined", "result"):
            summary.add_column(column, justify="right")
        passed = indexed == distinct == articles and quarantined == 0
        summary.add_row(str(articles), str(indexed), str(distinct), str(quarantined),
                        "[green]pass[/]" if passed else "[red]FAIL[/]")  # fmt: skip
        for table in (summary, _phase_table(run), _rss_table(run), _depth_table(run)):
            console.print(table)
        if not passed:
            console.print(f"worker logs: {root / 'logs'}")
            raise typer.Exit(code=1)
    finally:
        stop_redis(settings, _QUIET)
        remove_index(es, settings.index_alias)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    typer.run(main)
