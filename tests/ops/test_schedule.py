"""Scheduled crawls: RedBeat entries from the registry, the per-source lock, the crawl task."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from pydantic import HttpUrl, RedisDsn
from redbeat import RedBeatSchedulerEntry
from typer.testing import CliRunner

from crawler.sources import Source, SourceRegistry, load_sources
from newsloom.errors import InvalidInputError
from newsloom.queues import CRAWL_QUEUE, CRAWL_TASK, ROLLOVER_TASK
from newsloom.settings import Settings
from newsloom.state import KEY_PREFIX, redis_client
from newsloom_cli.errors import describe_failure
from newsloom_cli.main import app
from ops.beat_health import lock_key
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import crawl_worker_process
from ops.schedule import (
    ROLLOVER_ENTRY,
    crawl_interval,
    crawl_lock,
    install_schedules,
)
from workers.app import create_celery


def _entry_key(source_id: str) -> str:
    return f"redbeat:crawl:{source_id}"


@pytest.mark.integration
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


@pytest.mark.integration
def test_the_lock_expires_when_a_crawler_dies(services: Settings) -> None:
    client = redis_client(services)
    assert crawl_lock(client, "lock-expiry", timeout_s=1).acquire()  # never released
    time.sleep(1.5)
    lock = crawl_lock(client, "lock-expiry", timeout_s=60)
    assert lock.acquire()
    lock.release()


def test_a_source_may_have_its_own_interval(settings: Settings) -> None:
    default = Source(id="yonhap", name="Yonhap", homepage=HttpUrl("https://en.yna.co.kr/"))
    own = default.model_copy(update={"crawl_interval_s": 900})
    assert crawl_interval(default, settings) == timedelta(seconds=settings.crawl_interval_s)
    assert crawl_interval(own, settings) == timedelta(minutes=15)


@pytest.mark.integration
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
            assert entry.schedule.run_every == crawl_interval(source, services)
            own = source.crawl_interval_s
            assert crawl_interval(source, services) == timedelta(seconds=own or 3600)

        rollover = RedBeatSchedulerEntry.from_key(f"redbeat:{ROLLOVER_ENTRY}", app=celery)
        assert (rollover.task, rollover.options["queue"]) == (ROLLOVER_TASK, CRAWL_QUEUE)
        assert rollover.schedule.run_every == timedelta(seconds=services.rollover_check_interval_s)

        removed, *kept = registry.sources
        install_schedules(celery, SourceRegistry(sources=kept), services)
        client = redis_client(services)
        assert not client.exists(_entry_key(removed.id)), "a removed source is still scheduled"
        assert client.exists(_entry_key(kept[0].id))
    finally:
        for key in redis_client(services).scan_iter("redbeat:*"):
            redis_client(services).delete(key)
        celery.close()


def _beat(settings: Settings, name: str) -> BackgroundProcess:
    """A real Celery beat with the RedBeat scheduler, as docker-compose.yml runs it."""
    argv = [
        sys.executable, "-m", "celery", "-A", "ops.schedule", "beat",
        "--scheduler", "redbeat.RedBeatScheduler", "--loglevel", "DEBUG",
        # Standbys retry the lock this often; the lock outlives a dead beat by 5x this.
        "--max-interval", "1",
    ]  # fmt: skip
    return BackgroundProcess(
        name, argv, settings.state_dir / "logs" / f"{name}.log",
        ready_pattern=r"beat: Acquiring lock", env=settings.as_environment(),
    )  # fmt: skip


def _queued_crawls(client: redis.Redis) -> list[str]:
    """Source ids of the crawl tasks waiting in the crawl queue."""
    messages = [json.loads(raw) for raw in client.lrange(CRAWL_QUEUE, 0, -1)]
    return [
        str(ast.literal_eval(message["headers"]["argsrepr"])[0])
        for message in messages
        if message["headers"]["task"] == CRAWL_TASK
    ]


@pytest.mark.integration
def test_one_of_two_beats_schedules_every_source_and_the_other_takes_over(
    services: Settings, fixture_sources: Path
) -> None:
    settings = services.model_copy(update={"sources_file": fixture_sources, "crawl_interval_s": 2})
    sources = {source.id for source in load_sources(fixture_sources).sources}
    client = redis_client(services)
    first, second = _beat(settings, "beat-first"), _beat(settings, "beat-second")
    try:
        with first, second:
            first.start(timeout_s=60)
            assert _wait_for(first.log_path, "beat: Acquired lock", 30), first.log_path.read_text()
            second.start(timeout_s=60)  # blocks on the lock: a standby
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and set(_queued_crawls(client)) != sources:
                time.sleep(0.5)
            assert set(_queued_crawls(client)) == sources, first.log_path.read_text()
            assert "Sending due task" not in second.log_path.read_text(), "two active beats"

            first.stop()  # releases the lock on its way out
            assert _wait_for(second.log_path, "beat: Acquired lock", 30), (
                second.log_path.read_text()
            )
            client.delete(CRAWL_QUEUE)
            assert _wait_for(second.log_path, "Sending due task", 30), second.log_path.read_text()
    finally:
        client.delete(CRAWL_QUEUE)
        for key in client.scan_iter("redbeat:*"):
            client.delete(key)


def _wait_for(log: Path, text: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.integration
def test_concurrent_triggers_crawl_a_source_once(services: Settings, fixture_sources: Path) -> None:
    busy, free = load_sources(fixture_sources).sources[:2]
    worker = crawl_worker_process(
        services.model_copy(update={"sources_file": fixture_sources}), concurrency=2
    )
    client = redis_client(services)
    held = crawl_lock(client, busy.id, timeout_s=600)  # as if a crawl of it were running
    assert held.acquire()
    try:
        with worker, create_celery(services) as celery:
            worker.start(timeout_s=120)
            # Two triggers of one source at once (two beats, or beat and a person): both
            # children take one, and the second finds the first one's lock.
            for source in (free, free, busy):
                celery.send_task(CRAWL_TASK, args=[source.id], queue=CRAWL_QUEUE)
            assert _wait_for(worker.log_path, "'crawled'", 300), worker.log_path.read_text()
            assert _wait_for_count(worker.log_path, "'skipped'", 2, 60), worker.log_path.read_text()
    finally:
        held.release()
    log = worker.log_path.read_text()
    assert log.count("'crawled'") == 1 and log.count("'skipped'") == 2, log
    assert not client.exists(f"{KEY_PREFIX}:crawl-lock:{free.id}"), "the lock was not released"


def _wait_for_count(log: Path, text: str, count: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count(text) >= count:
            return True
        time.sleep(0.5)
    return False


def test_crawl_command_refuses_unknown_sources() -> None:
    result = CliRunner().invoke(app, ["crawl", "no-such-source"])
    code, message = describe_failure(result.exception or AssertionError(result.output))
    assert code == InvalidInputError.exit_code
    assert "no-such-source" in message


def _beat_health(settings: Settings) -> subprocess.CompletedProcess[str]:
    """The beat container's healthcheck, as docker-compose.yml runs it."""
    return subprocess.run(
        [sys.executable, "-m", "ops.beat_health"], capture_output=True, text=True,
        env=settings.as_environment(), timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.integration
def test_beat_is_healthy_only_while_a_beat_holds_the_schedule(
    services: Settings, fixture_sources: Path
) -> None:
    settings = services.model_copy(update={"sources_file": fixture_sources})
    redis_client(services).delete(lock_key())
    idle = _beat_health(settings)
    assert idle.returncode == 1 and "no beat holds the schedule lock" in idle.stderr
    beat = _beat(settings, "beat-health")
    try:
        with beat:
            beat.start(timeout_s=60)
            assert _wait_for(beat.log_path, "beat: Acquired lock", 30), beat.log_path.read_text()
            led = _beat_health(settings)
            assert led.returncode == 0, led.stderr
    finally:
        for key in redis_client(services).scan_iter("redbeat:*"):
            redis_client(services).delete(key)
    unreachable = settings.model_copy(update={"redis_url": RedisDsn("redis://127.0.0.1:1/0")})
    down = _beat_health(unreachable)
    assert down.returncode == 1 and "cannot reach Redis at redis://127.0.0.1:1/0" in down.stderr
