"""Waiting for queued articles to become searchable."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from elasticsearch import Elasticsearch

__all__ = ["count_indexed", "wait_until_indexed"]

_BATCH = 1000


def count_indexed(es: Elasticsearch, alias: str, ids: Sequence[str]) -> int:
    """How many of ``ids`` are searchable now (a count, so it works across rolled-over indices)."""
    unique = sorted(set(ids))
    total = 0
    for start in range(0, len(unique), _BATCH):
        batch = unique[start : start + _BATCH]
        total += es.count(index=alias, query={"ids": {"values": batch}})["count"]
    return total


def wait_until_indexed(
    es: Elasticsearch,
    alias: str,
    ids: Sequence[str],
    timeout_s: float,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Poll until every id is searchable or ``timeout_s`` passes; return how many are."""
    wanted = len(set(ids))
    deadline = time.monotonic() + timeout_s
    while True:
        done = count_indexed(es, alias, ids) if es.indices.exists_alias(name=alias) else 0
        if on_progress:
            on_progress(done, wanted)
        if done >= wanted or time.monotonic() > deadline:
            return done
        time.sleep(0.5)
