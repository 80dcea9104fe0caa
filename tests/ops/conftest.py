"""Fixtures for the local-services tests: private state dirs and ports no other session uses."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import HttpUrl, RedisDsn

from newsloom.settings import Settings
from ops.dev.local import services

# Unusual ports, distinct from the session-wide services in tests/conftest.py, so these
# tests can start, break and stop their own services while other sessions run.
OPS_REDIS_PORT = 16390
OPS_ELASTICSEARCH_PORT = 19290


@pytest.fixture(scope="module")
def ops_root() -> Iterator[Path]:
    """A private directory for this module's state dirs and cache, removed afterwards.

    Not tmp_path_factory: as root, Elasticsearch runs as ``newsloom-es``, which must be
    able to enter every directory above its state, and pytest keeps /tmp/pytest-of-<user>
    at mode 0700 (re-applied whenever any pytest session starts).
    """
    root = Path(tempfile.mkdtemp(prefix="newsloom-ops-test-"))
    root.chmod(0o711)  # traversable, not listable: the state dirs below must be reachable
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _settings(root: Path, name: str, redis_port: int, elasticsearch_port: int) -> Settings:
    return Settings(
        redis_url=RedisDsn(f"redis://127.0.0.1:{redis_port}/0"),
        elasticsearch_url=HttpUrl(f"http://127.0.0.1:{elasticsearch_port}"),
        state_dir=root / name,
        # Fresh per module, shared by its settings: every run exercises the real download
        # (mvn) and unzip once.
        cache_dir=root / "cache",
    )


@pytest.fixture(scope="module")
def ops_settings(ops_root: Path) -> Iterator[Settings]:
    """Settings for this module's own Redis and Elasticsearch; both are stopped afterwards."""
    settings = _settings(ops_root, "main", OPS_REDIS_PORT, OPS_ELASTICSEARCH_PORT)
    try:
        yield settings
    finally:
        services.down(settings)


@pytest.fixture
def make_settings(ops_root: Path) -> Iterator[Callable[[int, int], Settings]]:
    """Make settings with a state dir of their own, for tests that break things on purpose.

    Whatever those tests manage to start is stopped afterwards.
    """
    made: list[Settings] = []

    def make(redis_port: int, elasticsearch_port: int) -> Settings:
        settings = _settings(
            ops_root, f"case-{redis_port}-{elasticsearch_port}", redis_port, elasticsearch_port
        )
        made.append(settings)
        return settings

    yield make
    for settings in made:
        services.down(settings)
