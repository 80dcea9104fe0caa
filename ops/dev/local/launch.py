"""Launchers for the processes that run beside the services: a Celery worker, the fixture site."""

from __future__ import annotations

import sys
from pathlib import Path

from newsloom.queues import ALL_QUEUES
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess

__all__ = ["fixture_site_process", "worker_process"]


def worker_process(
    settings: Settings,
    name: str = "worker",
    queues: tuple[str, ...] = ALL_QUEUES,
    concurrency: int = 2,
) -> BackgroundProcess:
    """A real Celery worker process consuming ``queues``, logging under the state dir."""
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
