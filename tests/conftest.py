"""Session fixtures: real Redis, Elasticsearch, a Celery worker and the fixture news site.

Each service starts once per test session on ports of its own (so a developer's running
services are left alone) and stops at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from pydantic import HttpUrl, RedisDsn

from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import fixture_site_process, worker_process
from ops.dev.local.services import down as services_down
from ops.dev.local.services import up as services_up
from search.client import create_client
from search.templates import ensure_index

# Overridable so several checkouts can run their suites side by side.
TEST_REDIS_PORT = int(os.environ.get("NEWSLOOM_TEST_REDIS_PORT", "16379"))
TEST_ELASTICSEARCH_PORT = int(os.environ.get("NEWSLOOM_TEST_ELASTICSEARCH_PORT", "19200"))


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    """Settings pointing every component at the test session's own services."""
    # Not pytest's tmp_path: Elasticsearch runs as its own user and must be able to enter the
    # state dir, and pytest keeps its base directory private to the current user.
    state_dir = Path(tempfile.mkdtemp(prefix="newsloom-test-"))
    yield Settings(
        redis_url=RedisDsn(f"redis://127.0.0.1:{TEST_REDIS_PORT}/0"),
        elasticsearch_url=HttpUrl(f"http://127.0.0.1:{TEST_ELASTICSEARCH_PORT}"),
        state_dir=state_dir,
        index_alias="articles",
        # The API started by tests serves loopback only; tests of the key set one.
        api_open_access=True,
    )
    shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def services(settings: Settings) -> Iterator[Settings]:
    """Redis and Elasticsearch, started for the session and stopped after it."""
    try:
        services_up(settings)
        yield settings
    finally:
        services_down(settings)


@pytest.fixture(scope="session")
def es(services: Settings) -> Elasticsearch:
    """A client for the session's Elasticsearch, with the article index in place."""
    client = create_client(services)
    ensure_index(client, services.index_alias, services.index_replicas)
    return client


@pytest.fixture(scope="session")
def fixture_sources(settings: Settings) -> Iterator[Path]:
    """The fixture news site, running; yields the sources file describing its outlets."""
    with fixture_site_process(settings, settings.state_dir / "fixture-sources.yaml") as site:
        ready = site.start()
        yield Path(ready["sources"])


@pytest.fixture(scope="session")
def worker(services: Settings, es: Elasticsearch) -> Iterator[BackgroundProcess]:
    """One real Celery worker process consuming every queue."""
    with worker_process(services) as process:
        process.start(timeout_s=120)
        yield process


def run_cli(
    settings: Settings, *arguments: str, timeout_s: float = 600, expect_failure: bool = False
) -> str:
    """Run ``newsloom`` in a child process against the session's services; return its output.

    With ``expect_failure`` the command must exit non-zero, and its error output is returned.
    """
    result = subprocess.run(
        [sys.executable, "-m", "newsloom_cli", *arguments],
        env={**os.environ, **settings.as_environment(), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    shown = f"newsloom {arguments} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    if expect_failure:
        assert result.returncode != 0, shown
        return result.stdout + result.stderr
    assert result.returncode == 0, shown
    return result.stdout
