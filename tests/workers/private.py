"""Workers of a test's own: a Redis database (broker and state) and an index alias apart from
the session's, so what other tests send cannot reach them, nor theirs reach others."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
from elasticsearch import Elasticsearch
from pydantic import RedisDsn

from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import worker_process
from search.templates import ensure_index

__all__ = ["PrivateWorker", "private_redis", "private_worker"]


@dataclass(frozen=True)
class PrivateWorker:
    """A running worker and the settings that reach it."""

    settings: Settings
    process: BackgroundProcess


def _on_database(services: Settings, redis_db: int) -> Settings:
    url = str(services.redis_url).rsplit("/", 1)[0] + f"/{redis_db}"
    return services.model_copy(update={"redis_url": RedisDsn(url)})


@contextmanager
def private_redis(services: Settings, redis_db: int) -> Iterator[redis.Redis]:
    """A client on ``redis_db`` of the session's Redis, emptied first."""
    with redis_client(_on_database(services, redis_db)) as client:
        client.flushdb()
        yield client


@contextmanager
def private_worker(
    services: Settings, es: Elasticsearch, redis_db: int, name: str, **updates: Any
) -> Iterator[PrivateWorker]:
    """Run a worker on an emptied ``redis_db`` and a fresh alias."""
    settings = _on_database(services, redis_db).model_copy(
        update={"index_alias": f"{name}-{uuid.uuid4().hex[:8]}", **updates}
    )
    with private_redis(services, redis_db), worker_process(settings, name=name) as process:
        ensure_index(es, settings.index_alias)
        process.start(timeout_s=120)
        yield PrivateWorker(settings, process)
