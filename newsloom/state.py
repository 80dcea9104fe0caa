"""Connections to the shared state workers keep in Redis (quarantine, delivery counts, LSH).

Nothing that matters lives in a worker's memory: any worker on any host sees the same state.
"""

from __future__ import annotations

import redis

from newsloom.settings import Settings

__all__ = ["KEY_PREFIX", "redis_client"]

KEY_PREFIX = "newsloom:workers"


def redis_client(settings: Settings, timeout_s: float | None = None) -> redis.Redis:
    """A client for ``settings.redis_url`` that returns ``str``, not ``bytes``.

    ``timeout_s`` bounds connecting and each command (default: wait as long as it takes).
    """
    return redis.Redis.from_url(
        settings.redis_connection_url(),
        decode_responses=True,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
    )
