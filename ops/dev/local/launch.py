"""Launchers for the processes that run beside the services: a Celery worker, the fixture site."""

from __future__ import annotations

import sys
from pathlib import Path

from newsloom.queues import CRAWL_QUEUE
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from workers.routing import worker_queues

__all__ = [
    "crawl_worker_process",
    "fixture_site_process",
    "websub_receiver_process",
    "websub_wire_process",
    "worker_process",
]


def worker_process(
    settings: Settings,
    name: str = "worker",
    queues: tuple[str, ...] | None = None,
    concurrency: int = 2,
) -> BackgroundProcess:
    """A real Celery worker process consuming ``queues`` (by default those of its language
    groups, ``worker_queues``), logging under the state dir."""
    queues = queues or worker_queues(settings)
    log_path = settings.state_dir / "logs" / f"{name}.log"
    argv = [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        "--hostname", f"{name}@%h", "--queues", ",".join(queues),
        "--concurrency", str(concurrency), "--loglevel", "INFO",
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return BackgroundProcess(
        name, argv, log_path, ready_pattern=r"ready\.", env=settings.as_environment()
    )


def crawl_worker_process(settings: Settings, concurrency: int = 1) -> BackgroundProcess:
    """A real crawl worker (``newsloom crawl-worker``): scheduled and pushed crawls."""
    process = worker_process(
        settings, name="crawl-worker", queues=(CRAWL_QUEUE,), concurrency=concurrency
    )
    process.argv[process.argv.index("workers.app")] = "ops.schedule"
    return process


def websub_receiver_process(settings: Settings, port: int) -> BackgroundProcess:
    """``newsloom websub serve`` on loopback ``port``."""
    argv = [sys.executable, "-m", "newsloom_cli", "websub", "serve",
            "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    return BackgroundProcess(
        "websub-receiver", argv, settings.state_dir / "logs" / "websub-receiver.log",
        ready_pattern=r"Uvicorn running on", env=settings.as_environment(),
    )  # fmt: skip


def websub_wire_process(settings: Settings, articles: int = 1) -> BackgroundProcess:
    """The wire site with its own WebSub hub (:mod:`ops.dev.websub_wire`)."""
    argv = [sys.executable, "-m", "ops.dev.websub_wire", "--articles", str(articles)]
    return BackgroundProcess(
        "websub-wire", argv, settings.state_dir / "logs" / "websub-wire.log",
        ready_pattern=r"websub wire ready: (?P<origin>\S+)", env=settings.as_environment(),
    )  # fmt: skip


def fixture_site_process(settings: Settings, sources_out: Path) -> BackgroundProcess:
    """The fixture news site on loopback ports; it writes its sources file when ready."""
    argv = [
        sys.executable,
        "-m",
        "ops.dev.fixture_site",
        "--port-base",
        "0",
        "--sources-out",
        str(sources_out),
    ]
    return BackgroundProcess(
        "fixture-site",
        argv,
        settings.state_dir / "logs" / "fixture-site.log",
        ready_pattern=r"fixture site ready: (?P<sources>\S+)",
        env=settings.as_environment(),
    )
