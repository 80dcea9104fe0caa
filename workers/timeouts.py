"""Hard time limits: a task killed for running too long is quarantined, never just acknowledged.

A soft time limit raises inside the task, so the base task (``workers.base``) quarantines it
like any permanent failure. A hard one (a task stuck where the soft exception cannot reach
it, or ignoring it) kills the pool child: nothing in the child gets to run, and Celery then
acknowledges the message in the worker's main process, deleting it without a trace. This
request class, used by every ``PipelineTask``, writes the quarantine entry in the main
process first; if Redis cannot take it, the message goes back to its queue instead.
"""

from __future__ import annotations

import logging

import redis
from celery.exceptions import TimeLimitExceeded
from celery.worker import state
from celery.worker.request import Request

from newsloom.queues import queue_of
from newsloom.settings import get_settings
from newsloom.state import redis_client
from workers.base import quarantine_task

__all__ = ["TimeLimitedRequest"]

logger = logging.getLogger(__name__)

# The main process runs the consumer's event loop: a hanging Redis must not stall it for long.
_REDIS_TIMEOUT_S = 2.0


class TimeLimitedRequest(Request):
    """Celery's task request, quarantining its message when the hard time limit kills it."""

    _client: redis.Redis | None = None

    @classmethod
    def _redis(cls) -> redis.Redis:
        # One client per worker main process, shared by every request it handles.
        if cls._client is None:
            cls._client = redis_client(get_settings(), timeout_s=_REDIS_TIMEOUT_S)
        return cls._client

    def on_timeout(self, soft: bool, timeout: float) -> None:
        """On the hard limit, quarantine (or requeue) before Celery acknowledges the message."""
        # At a cold shutdown Celery hands the message back itself, nothing to quarantine.
        if not soft and not state.should_terminate:
            self._quarantine_timed_out(timeout)
        super().on_timeout(soft, timeout)

    def _quarantine_timed_out(self, timeout: float) -> None:
        error = TimeLimitExceeded(timeout)
        reason = (
            f"killed by the hard time limit after {timeout} s "
            f"(NEWSLOOM_TASK_TIME_LIMIT_S): {type(error).__name__}"
        )
        task = str(self.task_name)
        queue = queue_of(task, self.delivery_info)
        try:
            quarantine_task(self._redis(), str(self.id), task, queue, self.args, error, reason)
        except redis.RedisError as down:
            logger.warning(
                "task %s (%s) hit the hard time limit and could not be quarantined (%s): "
                "left for redelivery", self.id, task, down,
            )  # fmt: skip
            # Acknowledged now, so Celery's own acknowledgement after this is a no-op.
            self.reject(requeue=True)
