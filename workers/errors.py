"""How the workers classify failures: transient ones are retried, anything else is permanent."""

from __future__ import annotations

import elasticsearch
import kombu.exceptions
import redis

from newsloom.errors import NewsloomError, TransientError

__all__ = ["TRANSIENT_ERRORS", "DeliveryLimitError", "TransientError"]


class DeliveryLimitError(NewsloomError):
    """A message came back more often than any healthy task needs (it keeps killing workers)."""


# Everything else (a payload that does not validate, a bug) fails the same way every time,
# so it goes straight to the quarantine instead of burning retries.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    TransientError,
    redis.ConnectionError,
    redis.TimeoutError,
    # Another worker held a shared index's lock too long: contention, not a bad message.
    redis.exceptions.LockError,
    elasticsearch.ConnectionError,
    elasticsearch.ConnectionTimeout,
    # A task sending the next stage's message while the broker is away (kombu gives up
    # publishing): the message is not lost, the task runs again when Redis is back.
    kombu.exceptions.OperationalError,
)
