"""Queue depth and quarantine size, read from Redis when Prometheus scrapes.

Workers cannot report the backlog they have not seen, so a separate exporter asks Redis:
Celery's Redis transport keeps each queue as a list (plus one list per priority step).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import redis
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from newsloom import quarantine

__all__ = ["QueueDepthCollector", "queue_keys"]

# kombu's Redis transport stores priority levels 3, 6 and 9 under "<queue>\x06\x16<level>".
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def queue_keys(queue: str) -> list[str]:
    """Every Redis list that holds messages of ``queue``."""
    return [queue, *(f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS)]


class QueueDepthCollector(Collector):
    """``newsloom_queue_depth{queue}``, ``newsloom_quarantine_size`` and ``newsloom_redis_up``."""

    def __init__(self, client: redis.Redis, queues: Sequence[str]) -> None:
        self.client = client
        self.queues = list(queues)

    def collect(self) -> Iterator[Metric]:
        """Read every queue's length in one round trip."""
        up = GaugeMetricFamily("newsloom_redis_up", "Whether the exporter could read Redis.")
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for queue in self.queues:
                    for key in queue_keys(queue):
                        pipe.llen(key)
                lengths = pipe.execute()
            quarantined = quarantine.count(self.client)
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
        yield from (up, depth, size)
