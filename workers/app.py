"""The Celery application: Redis broker, JSON only, late acknowledgement.

``celery -A workers.app worker`` imports ``app`` from here; every other module builds its
own with :func:`create_celery` from explicit settings.
"""

from __future__ import annotations

from celery import Celery

from newsloom.messaging import celery_configuration
from newsloom.settings import Settings, get_settings
from workers import metrics as _metrics  # noqa: F401 - connects the metrics signal receivers
from workers.base import RETRY_BACKOFF_MAX_S

_MIN_VISIBILITY_TIMEOUT_S = 3600


def visibility_timeout_s(settings: Settings) -> int:
    """How long Redis waits for an acknowledgement before delivering a message again.

    With Redis, a message a worker holds (running, or waiting out a retry countdown) goes
    back to the queue after this long, so it must outlast the task time limit and the
    longest retry countdown, with room to spare; else the same work runs twice at once.
    """
    longest_hold = max(settings.task_time_limit_s, RETRY_BACKOFF_MAX_S)
    return max(_MIN_VISIBILITY_TIMEOUT_S, 2 * longest_hold)


__all__ = ["app", "create_celery", "visibility_timeout_s"]


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
        task_soft_time_limit=max(1, settings.task_time_limit_s - 30),
        broker_transport_options={"visibility_timeout": visibility_timeout_s(settings)},
    )
    return celery


app = create_celery(get_settings())
