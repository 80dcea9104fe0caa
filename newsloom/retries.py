"""Tasks waiting to retry a transient error, by queue: when each first failed.

The base task (``workers.base``) marks a task here when it schedules a retry and clears the
mark when the task ends (indexed, or quarantined). A retry's countdown is held in a worker's
memory as an unacknowledged message, invisible to the queue lengths, so the exporter
(``ops.prometheus.queues``) reads this to show how many wait and since when.
"""

from __future__ import annotations

import time

import redis

from newsloom.state import KEY_PREFIX

__all__ = ["forget", "mark", "oldest", "retrying_key", "waiting"]


def retrying_key(queue: str) -> str:
    """The sorted set of ``queue``'s retrying task ids, scored by their first failure time."""
    return f"{KEY_PREFIX}:retrying:{queue}"


def mark(client: redis.Redis, queue: str, task_id: str) -> float:
    """Record that ``task_id`` is retrying (first time only); return when it first failed."""
    with client.pipeline(transaction=True) as pipe:
        pipe.zadd(retrying_key(queue), {task_id: time.time()}, nx=True)
        pipe.zscore(retrying_key(queue), task_id)
        _, first_failure = pipe.execute()
    return float(first_failure)


def forget(pipe: redis.client.Pipeline, queue: str, task_id: str) -> None:
    """Queue, on ``pipe``, the removal of ``task_id``'s mark (it ended, one way or the other)."""
    pipe.zrem(retrying_key(queue), task_id)


def waiting(client: redis.Redis, queue: str) -> int:
    """How many tasks of ``queue`` wait to retry."""
    return int(client.zcard(retrying_key(queue)))


def oldest(client: redis.Redis, queue: str) -> float | None:
    """When the longest-retrying task of ``queue`` first failed, or None when none retries."""
    first = client.zrange(retrying_key(queue), 0, 0, withscores=True)
    return float(first[0][1]) if first else None
