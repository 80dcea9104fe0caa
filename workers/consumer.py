"""The workers' Celery consumer: messages no task can run go to the quarantine, not the floor.

Celery's consumer logs and discards a message whose body does not decode, whose content type
is not accepted, that is not a task message, or that names a task this worker does not have.
This one quarantines each (``workers.unreadable``) with the message as received, then
acknowledges it; if the quarantine cannot be written, the message goes back to its queue.
Selected by the worker app's ``worker_consumer`` (``workers.app``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from celery.worker.consumer import Consumer
from kombu.message import Message

from workers.unreadable import UNDECODABLE_BODY, UNKNOWN_FORMAT, UNKNOWN_TASK, Quarantiner

__all__ = ["QuarantiningConsumer"]

logger = logging.getLogger(__name__)


def _as_received(message: Message) -> str:
    """The whole message (envelope and body) as JSON, or its body's repr if that fails."""
    try:
        # serializable() is the virtual transport's (the Redis one), not on kombu's base class.
        envelope = message.serializable()  # type: ignore[attr-defined]
        return json.dumps(envelope, default=repr, ensure_ascii=False)
    except (TypeError, ValueError, AttributeError):
        return repr(message.body)


class QuarantiningConsumer(Consumer):
    """Celery's consumer, quarantining the messages it would discard."""

    connection_errors: tuple[type[BaseException], ...]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._quarantiner = Quarantiner()

    def on_decode_error(self, message: Message, exc: Exception) -> None:
        """A body that does not decode as its content type says."""
        self._quarantine(message, UNDECODABLE_BODY, exc)

    def on_invalid_task(self, body: Any, message: Message, exc: Exception) -> None:
        """A task message Celery refuses (content type not accepted, malformed fields)."""
        self._quarantine(message, UNDECODABLE_BODY, exc)

    def on_unknown_message(self, body: Any, message: Message) -> None:
        """A message that is not a task message at all."""
        self._quarantine(message, UNKNOWN_FORMAT, ValueError("no task name in the message"))

    def on_unknown_task(self, body: Any, message: Message, exc: Exception) -> None:
        """A task message naming a task this worker does not have."""
        task = str((message.headers or {}).get("task", ""))
        self._quarantine(message, UNKNOWN_TASK, exc, task)

    def _quarantine(self, message: Message, reason: str, exc: Exception, task: str = "") -> None:
        queue = str((message.delivery_info or {}).get("routing_key", ""))
        if self._quarantiner.store(queue, reason, exc, _as_received(message), task):
            message.ack_log_error(logger, self.connection_errors)
        else:
            message.reject_log_error(logger, self.connection_errors, requeue=True)
