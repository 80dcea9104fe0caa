"""The one base class every newsloom task uses: late acks, bounded retries, the quarantine.

- ``acks_late`` + ``reject_on_worker_lost``: a message is acknowledged only when its task has
  finished, so a worker killed mid-task leaves the work to another worker.
- Transient errors (``workers.errors.TRANSIENT_ERRORS``) retry with exponential backoff and
  jitter, at most ``max_retries`` times.
- Deliveries are counted in Redis per task id: a message that keeps killing workers (so never
  gets to fail normally) is quarantined after ``MAX_DELIVERIES`` instead of looping forever.
- Permanent errors, and transient ones that outlast the retries, land in the quarantine
  (``newsloom.quarantine``) with the reason, ready to be inspected and replayed.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from billiard.einfo import ExceptionInfo
from celery import Task

from newsloom import quarantine
from newsloom.queues import queue_of
from newsloom.settings import get_settings
from newsloom.state import KEY_PREFIX, redis_client
from workers.errors import TRANSIENT_ERRORS, DeliveryLimitError

__all__ = ["MAX_DELIVERIES", "MAX_RETRIES", "RETRY_BACKOFF_MAX_S", "PipelineTask"]

logger = logging.getLogger(__name__)

MAX_RETRIES = 8
# The longest countdown a retry waits; the broker's visibility timeout must outlast it.
RETRY_BACKOFF_MAX_S = 300
# Each retry is a new delivery of the same task id; the slack allows for a few redeliveries
# after lost workers before the message is judged poisonous.
MAX_DELIVERIES = MAX_RETRIES + 3
_DELIVERY_TTL_S = 7 * 24 * 3600


def _deliveries_key(task_id: str) -> str:
    return f"{KEY_PREFIX}:deliveries:{task_id}"


class PipelineTask(Task):  # type: ignore[type-arg]
    """Base task: JSON arguments, at-least-once delivery, retries, and the quarantine."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = RETRY_BACKOFF_MAX_S
    retry_jitter = True
    max_retries = MAX_RETRIES

    _redis: redis.Redis | None = None

    @property
    def redis(self) -> redis.Redis:
        """This worker process's client for the shared state, created on first use."""
        if self._redis is None:
            self._redis = redis_client(get_settings())
        return self._redis

    def before_start(self, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Count this delivery; refuse a message delivered more than ``MAX_DELIVERIES`` times."""
        key = _deliveries_key(task_id)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, _DELIVERY_TTL_S)
            deliveries, _ = pipe.execute()
        if int(deliveries) > MAX_DELIVERIES:
            raise DeliveryLimitError(
                f"delivered {deliveries} times without finishing (limit {MAX_DELIVERIES}); "
                "it may crash or hang the worker: inspect it before replaying"
            )

    def on_success(
        self, retval: Any, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """Forget the delivery count of a finished task."""
        self.redis.delete(_deliveries_key(task_id))

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: ExceptionInfo,
    ) -> None:
        """Quarantine the message with the reason it failed for good."""
        retries = int(self.request.retries or 0)
        reason = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, TRANSIENT_ERRORS):
            reason = f"still failing after {retries} retries: {reason}"
        deliveries = self.redis.get(_deliveries_key(task_id))
        entry = quarantine.QuarantineEntry(
            id=task_id,
            task=self.name,
            queue=queue_of(self.name, self.request.delivery_info),
            args=list(args),
            reason=reason,
            error_type=type(exc).__name__,
            deliveries=int(deliveries or 1),
        )
        quarantine.add(self.redis, entry)
        self.redis.delete(_deliveries_key(task_id))
        logger.error("quarantined task %s (%s): %s", task_id, self.name, reason)
