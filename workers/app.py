"""The Celery application: Redis broker, JSON only, late acknowledgement.

``celery -A workers.app worker`` imports ``app`` from here; every other module builds its
own with :func:`create_celery` from explicit settings.
"""

from __future__ import annotations

from celery import Celery

from newsloom.messaging import celery_configuration
from newsloom.settings import Settings, get_settings
from workers import memory as _memory  # noqa: F401 - returns freed heap after each task
from workers import metrics as _metrics  # noqa: F401 - connects the metrics signal receivers
from workers import preload as _preload  # noqa: F401 - loads the models before the pool forks
from workers.leases import LeaseRenewal

# How often each worker sweeps ``unacked_index`` for messages whose lease ran out. kombu's
# default (10 s, and only every 10th sweep scans) would add ~100 s to every lost worker.
_RESTORE_SWEEP_S = 5


def broker_transport_options(settings: Settings) -> dict[str, float]:
    """The Redis transport's delivery options: a short visibility timeout, a frequent sweep.

    Safe because ``workers.leases.LeaseRenewal`` renews every message a live worker holds; only
    an abandoned message outlives the timeout.
    """
    return {
        "visibility_timeout": settings.broker_visibility_timeout_s,
        "unacked_restore_interval": _RESTORE_SWEEP_S,
        "unacked_restore_throttle": 1,
    }


__all__ = ["app", "broker_transport_options", "create_celery", "soft_time_limit_s"]


def soft_time_limit_s(settings: Settings) -> int | None:
    """The soft time limit, or None when only the hard one applies."""
    hard = settings.task_time_limit_s
    soft = settings.task_soft_time_limit_s
    if soft is None:
        return max(1, hard - 30)
    return soft if soft < hard else None


def create_celery(settings: Settings) -> Celery:
    """Build a Celery app bound to ``settings.redis_url`` with per-stage routing."""
    celery = Celery("newsloom", broker=settings.redis_connection_url(), include=["workers.tasks"])
    celery.conf.update(
        celery_configuration(),
        # An article is only acknowledged once it is enriched or indexed, so a worker killed
        # mid-task leaves the message to be delivered again, never lost.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Enrichment takes tens of milliseconds to seconds: a worker reserves one message
        # per process at a time, so a slow article never holds others back.
        worker_prefetch_multiplier=1,
        task_time_limit=settings.task_time_limit_s,
        task_soft_time_limit=soft_time_limit_s(settings),
        broker_transport_options=broker_transport_options(settings),
        # Garbage on a queue is quarantined, never fatal nor silently dropped.
        broker_transport="workers.transport:Transport",
        worker_consumer="workers.consumer:QuarantiningConsumer",
    )
    celery.steps["consumer"].add(LeaseRenewal)
    return celery


app = create_celery(get_settings())
