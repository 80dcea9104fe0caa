"""Lease renewal: a live worker keeps its messages; a dead worker's come back within seconds.

Celery's Redis transport keeps every message a worker has taken but not acknowledged in the
``unacked`` hash, indexed by the time it was taken in the ``unacked_index`` sorted set. Any
worker's periodic sweep puts a message back on its queue once that time is older than the
visibility timeout. With a long timeout a killed worker's messages are invisible for that
long; with a short one a slow task or a retry countdown is delivered twice while it is still
held. This consumer step renews the time of every message its worker still holds (running,
waiting for a pool process, or waiting out a retry countdown), every third of the timeout, so
the timeout can be short (``broker_visibility_timeout_s``): only messages whose worker
stopped renewing them, a dead worker's, or one whose outcome could not be written while
Redis was down, outlive it. Decision and trade-offs: docs/decisions.md.

Runs in the worker's main process, on the consumer's timer, so it keeps renewing while the
pool processes are busy.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import bootsteps
from celery.worker import state

from newsloom.settings import Settings, get_settings
from newsloom.state import redis_client

__all__ = ["LeaseRenewal", "held_delivery_tags", "renew_interval_s"]

logger = logging.getLogger(__name__)

# The renewal must not stall the consumer's event loop when Redis hangs instead of refusing.
_REDIS_TIMEOUT_S = 2.0


def renew_interval_s(settings: Settings) -> float:
    """How often held messages are renewed: two renewals may fail before one expires."""
    return settings.broker_visibility_timeout_s / 3


def held_delivery_tags() -> set[str]:
    """Delivery tags of every task request this worker process holds, due or scheduled."""
    # celery-types does not declare scheduled_requests (waiting out an ETA or countdown).
    requests = [*state.reserved_requests, *state.scheduled_requests]  # type: ignore[attr-defined]
    return {str(request.message.delivery_tag) for request in requests}


class LeaseRenewal(bootsteps.StartStopStep):
    """Consumer step: refresh ``unacked_index`` for the messages this worker holds."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._timer_entry: Any = None
        self._client: redis.Redis | None = None

    def start(self, parent: Any) -> None:
        """Renew every ``renew_interval_s`` until the consumer stops or reconnects."""
        settings = get_settings()
        self._client = redis_client(settings, timeout_s=_REDIS_TIMEOUT_S)
        self._timer_entry = parent.timer.call_repeatedly(
            renew_interval_s(settings), self.renew, (parent,), priority=10
        )

    def stop(self, parent: Any) -> None:
        """Stop renewing (the consumer restarts this step after a reconnect)."""
        if self._timer_entry is not None:
            self._timer_entry.cancel()
            self._timer_entry = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def renew(self, parent: Any) -> int:
        """Renew the messages still held; return how many were renewed."""
        tags = held_delivery_tags()
        if not tags or self._client is None or parent.task_consumer is None:
            return 0
        index_key = parent.task_consumer.channel.unacked_index_key
        now = time.time()
        try:
            # XX: only messages still in the index; one acknowledged meanwhile stays gone.
            renewed = self._client.zadd(index_key, dict.fromkeys(tags, now), xx=True, ch=True)
        except redis.RedisError as error:
            # Nothing is delivered while Redis is away; renewal resumes with it.
            logger.warning("could not renew %d message lease(s): %s", len(tags), error)
            return 0
        return int(renewed or 0)
