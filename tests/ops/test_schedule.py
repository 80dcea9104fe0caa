"""Scheduled crawls: RedBeat entries from the registry, the per-source lock, the crawl task."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from redbeat import RedBeatSchedulerEntry

from crawler.sources import SourceRegistry, load_sources
from newsloom.settings import Settings
from ops.local.launch import worker_process
from workers.app import create_celery
from workers.beat import CRAWL_QUEUE, CRAWL_TASK, crawl_interval, crawl_lock, install_schedules
from workers.state import redis_client

pytestmark = pytest.mark.integration


def _entry_key(source_id: str) -> str:
    return f"redbeat:crawl:{source_id}"


def test_one_crawl_per_source_at_a_time(services: Settings) -> None:
    client = redis_client(services)
    first = crawl_lock(client, "lock-test", timeout_s=60)
    second = crawl_lock(client, "lock-test", timeout_s=60)
    other = crawl_lock(client, "lock-test-other", timeout_s=60)
    assert first.acquire()
    try:
        assert not second.acquire(), "a second crawl of the same source got the lock"
        assert other.acquire(), "another source must not wait"
        other.release()
    finally:
        first.release()
    assert second.acquire(), "the lock is free once the first crawl ends"
    second.release()


def test_the_lock_expires_when_a_crawler_dies(services: Settings) -> None:
    client = redis_client(services)
    assert crawl_lock(client, "lock-expiry", timeout_s=1).acquire()  # never released
    time.sleep(1.5)
    lock = crawl_lock(client, "lock-expiry", timeout_s=60)
    assert lock.acquire()
    lock.release()


def test_schedules_follow_the_registry(services: Settings) -> None:
    registry = load_sources(services.sources_file)
    celery = create_celery(services)
    try:
        installed = install_schedules(celery, registry, services)
        assert installed == sorted(source.id for source in registry.sources)
        for source in registry.sources:
            entry = RedBeatSchedulerEntry.from_key(_entry_key(source.id), app=celery)
            assert entry.task == CRAWL_TASK
            assert entry.args == [source.id]
            assert entry.options["queue"] == CRAWL_QUEUE
            assert entry.schedule.run_every == timedelta(seconds=services.crawl_interval_s)
            assert crawl_interval(source, services) == timedelta(hours=1)

        removed, *kept = registry.sources
        install_schedules(celery, SourceRegistry(sources=kept), services)
        client = redis_client(services)
        assert not client.exists(_entry_key(removed.id)), "a removed source is still scheduled"
        assert client.exists(_entry_key(kept[0].id))
    finally:
        for key in redis_client(services).scan_iter("redbeat:*"):
            redis_client(services).delete(key)
        celery.close()


def _wait_for(log: Path, text: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.5)
    return False


def test_crawl_task_crawls_and_skips_a_locked_source(
    services: Settings, fixture_sources: Path
) -> None:
    busy, free = load_sources(fixture_sources).sources[:2]
    worker = worker_process(
        services.model_copy(update={"sources_file": fixture_sources}),
        name="crawl-worker",
        queues=(CRAWL_QUEUE,),
        concurrency=2,
    )
    worker.argv[worker.argv.index("workers.app")] = "workers.beat"
    client = redis_client(services)
    held = crawl_lock(client, busy.id, timeout_s=600)  # as if a crawl of it were running
    assert held.acquire()
    try:
        with worker, create_celery(services) as celery:
            worker.start(timeout_s=120)
            celery.send_task(CRAWL_TASK, args=[busy.id], queue=CRAWL_QUEUE)
            celery.send_task(CRAWL_TASK, args=[free.id], queue=CRAWL_QUEUE)
            assert _wait_for(worker.log_path, "'skipped'", 60), worker.log_path.read_text()
            assert _wait_for(worker.log_path, "'crawled'", 300), worker.log_path.read_text()
    finally:
        held.release()
    log = worker.log_path.read_text()
    assert log.count("'crawled'") == 1 and log.count("'skipped'") == 1
