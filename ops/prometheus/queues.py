"""Queue depth, messages held by workers, retries waiting and the quarantine, read from Redis.

Workers cannot report the backlog they have not seen, so a separate exporter asks Redis:
Celery's Redis transport keeps each queue as a list (plus one list per priority step), and
every message a worker has taken but not acknowledged in the ``unacked_index`` sorted set,
scored by when it was taken or its lease last renewed (``workers.leases``). Tasks waiting
out a retry countdown are among those; ``newsloom.retries`` says how many per queue and
since when they have been failing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import redis
from kombu.transport.redis import Channel
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from newsloom import quarantine, retries

__all__ = ["QueueDepthCollector", "queue_keys"]

# kombu's Redis transport stores priority levels 3, 6 and 9 under "<queue>\x06\x16<level>".
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def queue_keys(queue: str) -> list[str]:
    """Every Redis list that holds messages of ``queue``."""
    return [queue, *(f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS)]


class QueueDepthCollector(Collector):
    """Queue depths, unacknowledged and retrying messages, the quarantine, ``newsloom_redis_up``."""

    def __init__(self, client: redis.Redis, queues: Sequence[str]) -> None:
        self.client = client
        self.queues = list(queues)

    def collect(self) -> Iterator[Metric]:
        """Read every queue's length in one round trip, then the held and retrying messages."""
        up = GaugeMetricFamily("newsloom_redis_up", "Whether the exporter could read Redis.")
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for queue in self.queues:
                    for key in queue_keys(queue):
                        pipe.llen(key)
                lengths = pipe.execute()
            quarantined = quarantine.count(self.client)
            held = self._held()
            retrying = self._retrying()
        except redis.RedisError:
            # Report the outage as a series, so "worker down"/"Redis down" alerts can fire.
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        depth = GaugeMetricFamily(
            "newsloom_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        per_queue = len(_PRIORITY_STEPS) + 1
        for index, queue in enumerate(self.queues):
            depth.add_metric(
                [queue], float(sum(lengths[index * per_queue : (index + 1) * per_queue]))
            )
        size = GaugeMetricFamily(
            "newsloom_quarantine_size", "Failed task messages waiting in the quarantine."
        )
        size.add_metric([], float(quarantined))
        yield from (up, depth, size, *held, *retrying)

    def _held(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        index = Channel.unacked_index_key
        with self.client.pipeline(transaction=False) as pipe:
            pipe.zcard(index)
            pipe.zrange(index, 0, 0, withscores=True)
            count, stalest = pipe.execute()
        unacked = GaugeMetricFamily(
            "newsloom_queue_unacked_messages",
            "Messages taken by workers and not yet acknowledged: running, waiting for a pool "
            "process or a retry countdown, or left by a dead worker.",
        )
        unacked.add_metric([], float(count))
        age = GaugeMetricFamily(
            "newsloom_queue_unacked_oldest_age_seconds",
            "Seconds since the stalest unacknowledged message was taken or its lease renewed "
            "(0 when none); past the visibility timeout its worker is gone.",
        )
        age.add_metric([], max(0.0, time.time() - float(stalest[0][1])) if stalest else 0.0)
        return unacked, age

    def _retrying(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "newsloom_queue_retrying_messages",
            "Tasks waiting to retry a transient error, by queue.",
            labels=["queue"],
        )
        age = GaugeMetricFamily(
            "newsloom_queue_retrying_oldest_age_seconds",
            "Seconds since the longest-retrying task of a queue first failed (0 when none).",
            labels=["queue"],
        )
        now = time.time()
        for queue in self.queues:
            waiting.add_metric([queue], float(retries.waiting(self.client, queue)))
            first = retries.oldest(self.client, queue)
            age.add_metric([queue], 0.0 if first is None else max(0.0, now - first))
        return waiting, age
