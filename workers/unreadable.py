"""Garbage on a queue: quarantined with the reason it could not be run, and the worker lives.

Two places meet messages no task can run. The transport (``workers.transport``) meets those
that are not even a message: the Redis list item is not JSON, not UTF-8, or not a kombu
envelope; kombu would raise out of the event loop and stop the worker. The consumer
(``workers.consumer``) meets messages that are well formed but are not a task this worker can
run: a body that does not decode, content of a type not accepted, an unknown task name;
Celery would log and discard them. Both store them here with the message as received.
"""

from __future__ import annotations

import logging
import uuid
from typing import Final

import redis

from newsloom import quarantine
from newsloom.settings import get_settings
from newsloom.state import redis_client
from workers.signals import message_unreadable

__all__ = [
    "NOT_A_MESSAGE",
    "NOT_JSON",
    "REASONS",
    "UNDECODABLE_BODY",
    "UNKNOWN_FORMAT",
    "UNKNOWN_TASK",
    "UNREADABLE_ERRORS",
    "Quarantiner",
]

logger = logging.getLogger(__name__)

NOT_JSON: Final = "not-json"
NOT_A_MESSAGE: Final = "not-a-message"
UNDECODABLE_BODY: Final = "undecodable-body"
UNKNOWN_TASK: Final = "unknown-task"
UNKNOWN_FORMAT: Final = "unknown-format"
REASONS: Final = (NOT_JSON, NOT_A_MESSAGE, UNDECODABLE_BODY, UNKNOWN_TASK, UNKNOWN_FORMAT)
# What reading a Redis list item as a kombu message raises when the item is garbage:
# JSONDecodeError and UnicodeDecodeError (ValueError), binascii.Error from a bad base64 body
# (ValueError), and a missing or mistyped envelope field (KeyError, TypeError, AttributeError).
UNREADABLE_ERRORS: Final = (ValueError, KeyError, TypeError, AttributeError)
# A raw item is kept whole up to this size; beyond, its head is enough to recognise it.
_MAX_RAW_CHARS = 65536


class Quarantiner:
    """Writes unreadable messages to the quarantine, with one Redis client of its own."""

    def __init__(self) -> None:
        self._client: redis.Redis | None = None

    @property
    def client(self) -> redis.Redis:
        """The client for the shared state, created on first use."""
        if self._client is None:
            self._client = redis_client(get_settings())
        return self._client

    def store(
        self, queue: str, reason: str, error: BaseException, raw: str, task: str = ""
    ) -> bool:
        """Quarantine one unreadable message; False when Redis could not take it."""
        entry = quarantine.QuarantineEntry(
            id=f"unreadable-{uuid.uuid4()}",
            task=task,
            queue=queue,
            reason=f"{reason}: {type(error).__name__}: {error}",
            error_type=type(error).__name__,
            raw=raw[:_MAX_RAW_CHARS],
        )
        try:
            quarantine.add(self.client, entry)
        except redis.RedisError as down:
            logger.error(
                "could not quarantine an unreadable message from %s (%s): %s; message: %r",
                queue, entry.reason, down, entry.raw,
            )  # fmt: skip
            return False
        message_unreadable.send(sender=self, queue=queue, reason=reason)
        logger.error("quarantined an unreadable message from %s as %s: %s", queue, entry.id,
                     entry.reason)  # fmt: skip
        return True
