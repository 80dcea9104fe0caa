"""The Celery configuration producers and consumers share, and a send-only client.

Producers (the crawler, quarantine replays, the schedule) only publish messages: they build
their Celery app here, without importing any task code, so sending one article never loads
the enrichment models. The workers build theirs on the same configuration.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from newsloom.queues import ENRICH_QUEUE, TASK_QUEUES
from newsloom.settings import Settings

__all__ = ["celery_configuration", "task_sender"]


def celery_configuration() -> dict[str, Any]:
    """What every newsloom Celery app agrees on: JSON messages, no results, per-stage routes."""
    return {
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_backend": None,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "task_routes": {task: {"queue": queue} for task, queue in TASK_QUEUES.items()},
        "task_default_queue": ENRICH_QUEUE,
        "worker_hijack_root_logger": False,
    }


def task_sender(settings: Settings, name: str = "newsloom") -> Celery:
    """A Celery app bound to ``settings.redis_url`` that publishes tasks by name only."""
    celery = Celery(name, broker=settings.redis_connection_url(), set_as_current=False)
    celery.conf.update(celery_configuration())
    return celery
