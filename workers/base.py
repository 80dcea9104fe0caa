"""The one base class every newsloom task uses: late acks, retries without loss, the quarantine.

Nothing is acknowledged or deleted before it is done or quarantined:

- ``acks_late`` + ``reject_on_worker_lost``: a message is acknowledged only when its task has
  finished, so a worker killed mid-task leaves the work to another worker (and the lease
  renewal in ``workers.leases`` brings a dead worker's messages back within the broker's
  visibility timeout).
- Transient errors (``workers.errors.TRANSIENT_ERRORS``) retry with capped exponential backoff
  and full jitter (at most ``retry_backoff_max_s`` apart) for as long as
  ``retry_max_age_s``: an outage of any ordinary length ends with the work done, and it
  resumes within about ``retry_backoff_max_s`` of the service's return. Celery's autoretry is
  not used: when the broker itself is down it cannot publish the retry and deletes the
  message; here the message is rejected *with* requeue, and if even that cannot reach Redis
  it stays unacknowledged in Redis and comes back after the visibility timeout.
- Deliveries are counted in Redis per task id and reset when a task ends or schedules its
  retry: a message that keeps killing workers (so never gets to fail normally) is quarantined
  after ``MAX_DELIVERIES`` instead of looping forever.
- Permanent errors, and transient ones older than ``retry_max_age_s``, land in the quarantine
  (``newsloom.quarantine``) with the reason, ready to be inspected and replayed. If the
  quarantine cannot be written (Redis down), the message is requeued, not acknowledged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import redis
from celery import Task
from celery.exceptions import Ignore, Reject, Retry
from celery.utils.time import get_exponential_backoff_interval

from newsloom import quarantine, retries
from newsloom.queues import queue_of
from newsloom.settings import Settings, get_settings
from newsloom.state import KEY_PREFIX, redis_client
from workers.errors import TRANSIENT_ERRORS, DeliveryLimitError
from workers.signals import task_redelivered, task_requeued

__all__ = ["MAX_DELIVERIES", "PipelineTask", "clear_delivery_state", "quarantine_task"]

logger = logging.getLogger(__name__)

# Deliveries in a row that did not end (no success, retry or quarantine): worker deaths, or
# Redis lost before the outcome was written. Healthy work needs one; the slack covers a few
# lost workers and broker restarts before the message is judged poisonous.
MAX_DELIVERIES = 10
_DELIVERY_TTL_S = 7 * 24 * 3600
# The first retry waits up to this long; each further one doubles, up to retry_backoff_max_s.
_BACKOFF_FACTOR_S = 1


def _deliveries_key(task_id: str) -> str:
    return f"{KEY_PREFIX}:deliveries:{task_id}"


class PipelineTask(Task):  # type: ignore[type-arg]
    """Base task: JSON arguments, at-least-once delivery, retries, and the quarantine."""

    acks_late = True
    reject_on_worker_lost = True
    # A hard time limit kills the child before it can quarantine anything: the main process
    # does it (``workers.timeouts``) before the message is acknowledged.
    Request = "workers.timeouts:TimeLimitedRequest"
    # Unlimited by count: retries end by age (``retry_max_age_s``), see ``_retry_later``.
    max_retries = None

    _redis: redis.Redis | None = None
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """This worker process's settings, read from the environment on first use.

        Reading them costs milliseconds (every field is parsed again), which every message
        would otherwise pay, several times over.
        """
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def redis(self) -> redis.Redis:
        """This worker process's client for the shared state, created on first use."""
        if self._redis is None:
            self._redis = redis_client(self.settings)
        return self._redis

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task; turn every failure into a retry, a requeue or a quarantine entry."""
        try:
            self._count_delivery()
            result = super().__call__(*args, **kwargs)
        except (Retry, Reject, Ignore):
            raise
        except TRANSIENT_ERRORS as error:
            outcome = self._retry_later(error, args)
            if outcome is None:  # too old to retry: quarantined, so it fails as itself
                raise
            raise outcome from error
        except Exception as error:
            self._quarantine(error, args, f"{type(error).__name__}: {error}")
            raise
        self._forget()
        return result

    @property
    def _queue(self) -> str:
        return queue_of(self.name, self.request.delivery_info)

    def _count_delivery(self) -> None:
        """Count this delivery (and a redelivery); refuse one past ``MAX_DELIVERIES``."""
        key = _deliveries_key(str(self.request.id))
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, _DELIVERY_TTL_S)
            deliveries, _ = pipe.execute()
        # The broker flags a message it put back (swept after a lost worker, requeued, or
        # handed back at shutdown) even when no earlier delivery got as far as starting.
        restored = bool((self.request.delivery_info or {}).get("redelivered"))
        if int(deliveries) > 1 or restored:
            task_redelivered.send(sender=self, task=self.name)
        if int(deliveries) > MAX_DELIVERIES:
            raise DeliveryLimitError(
                f"delivered {deliveries} times without finishing (limit {MAX_DELIVERIES}); "
                "it may crash or hang the worker: inspect it before replaying"
            )

    def _retry_later(self, error: Exception, args: tuple[Any, ...]) -> Exception | None:
        """Schedule a retry (``Retry``), give the message back (``Reject``), or quarantine it."""
        settings = self.settings
        attempts = int(self.request.retries or 0)
        try:
            first_failure = retries.mark(self.redis, self._queue, str(self.request.id))
        except redis.RedisError as down:
            return self._requeue(down)
        failing_s = time.time() - first_failure
        if failing_s > settings.retry_max_age_s:
            reason = (
                f"still failing after {attempts} retries over {failing_s:.0f} s "
                f"(NEWSLOOM_RETRY_MAX_AGE_S={settings.retry_max_age_s}): "
                f"{type(error).__name__}: {error}"
            )
            self._quarantine(error, args, reason)
            return None
        countdown = get_exponential_backoff_interval(
            _BACKOFF_FACTOR_S, attempts, int(settings.retry_backoff_max_s), full_jitter=True
        )
        try:
            retry = self.retry(exc=error, countdown=countdown, throw=False)
        except Reject as unpublished:
            # Celery could not publish the retry (the broker is down) and would delete the
            # message; give it back instead.
            return self._requeue(unpublished)
        self._clear_quietly(deliveries=True, retrying=False)
        return retry

    def _requeue(self, cause: object) -> Reject:
        """The message goes back to its queue (or, Redis down, stays unacknowledged there)."""
        task_requeued.send(sender=self, task=self.name)
        logger.warning(
            "task %s (%s) left for redelivery, its outcome could not be recorded: %s",
            self.request.id, self.name, cause,
        )  # fmt: skip
        return Reject(f"outcome not recorded ({cause}); left for redelivery", requeue=True)

    def _quarantine(self, error: BaseException, args: tuple[Any, ...], reason: str) -> None:
        """Store the message with ``reason``; requeue it instead if Redis cannot take it."""
        try:
            quarantine_task(
                self.redis, str(self.request.id), self.name, self._queue, args, error, reason
            )
        except redis.RedisError as down:
            raise self._requeue(down) from error

    def _forget(self) -> None:
        """Drop a finished task's delivery count and retry mark."""
        self._clear_quietly(deliveries=True, retrying=True)

    def _clear_quietly(self, *, deliveries: bool, retrying: bool) -> None:
        clear_delivery_state(
            self.redis, self._queue, str(self.request.id), deliveries=deliveries, retrying=retrying
        )


def quarantine_task(
    client: redis.Redis,
    task_id: str,
    task: str,
    queue: str,
    args: Sequence[Any],
    error: BaseException,
    reason: str,
) -> None:
    """Store a failed task's message with ``reason``; raises ``redis.RedisError`` if it cannot."""
    deliveries = client.get(_deliveries_key(task_id))
    entry = quarantine.QuarantineEntry(
        id=task_id,
        task=task,
        queue=queue,
        args=list(args),
        reason=reason,
        error_type=type(error).__name__,
        deliveries=int(deliveries or 1),
    )
    quarantine.add(client, entry)
    clear_delivery_state(client, queue, task_id, deliveries=True, retrying=True)
    logger.error("quarantined task %s (%s): %s", task_id, task, reason)


def clear_delivery_state(
    client: redis.Redis, queue: str, task_id: str, *, deliveries: bool, retrying: bool
) -> None:
    """Drop a task's delivery count and/or retry mark, logging (not raising) a Redis failure."""
    # Bookkeeping after the outcome is safe: a failure here only leaves a count that
    # expires, never work undone, so it must not turn a finished task into a failed one.
    try:
        with client.pipeline(transaction=False) as pipe:
            if deliveries:
                pipe.delete(_deliveries_key(task_id))
            if retrying:
                retries.forget(pipe, queue, task_id)
            pipe.execute()
    except redis.RedisError as down:
        logger.warning("could not clear the delivery state of task %s: %s", task_id, down)
