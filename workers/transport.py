"""The workers' broker transport: kombu's Redis transport that survives garbage list items.

kombu reads each Redis list item as a JSON envelope and builds its message from it; an item
that is not JSON, or not an envelope, raises out of the worker's event loop and stops the
worker (and the item, already popped, is gone). Here such an item is quarantined with the
reason (``workers.unreadable``) and the worker reads on. The visibility-timeout sweep also
reports each message it puts back (``messages_restored``): those were held by a worker that
is gone, which nothing else records. And the record of a message as held, made after BRPOP
has already taken it off its queue, is retried while Redis is unreachable: kombu lets the
error go, and the message, on no list and in no hash, was gone. Selected by the worker app's
``broker_transport`` (``workers.app``); producers keep kombu's own, they never read.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from queue import Empty
from typing import Any

from celery.worker import state
from kombu.transport import redis as redis_transport
from kombu.transport.virtual.base import Message as VirtualMessage
from kombu.utils.encoding import bytes_to_str

from workers.signals import messages_restored
from workers.unreadable import NOT_A_MESSAGE, NOT_JSON, UNREADABLE_ERRORS, Quarantiner

__all__ = ["Transport", "UnreadableItemError"]

logger = logging.getLogger(__name__)

# Waits between attempts to record a taken message, the last repeated until Redis answers.
_RECORD_RETRY_S = (0.1, 0.5, 1.0, 2.0)


class UnreadableItemError(ValueError):
    """A Redis list item that is JSON but not a kombu message envelope."""

    def __init__(self, payload: Any, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.payload = payload


class CheckedMessage(VirtualMessage):
    """kombu's message, raising ``UnreadableItemError`` when the envelope is not one."""

    def __init__(self, payload: Any, channel: Any = None, **kwargs: Any) -> None:
        try:
            super().__init__(payload, channel=channel, **kwargs)
        except UNREADABLE_ERRORS as error:
            raise UnreadableItemError(payload, error) from error


def _raw_text(error: ValueError) -> tuple[str, str]:
    """The reason and the item as received, from the error reading it raised."""
    if isinstance(error, UnreadableItemError):
        return NOT_A_MESSAGE, json.dumps(error.payload, default=repr, ensure_ascii=False)
    if isinstance(error, json.JSONDecodeError):
        return NOT_JSON, error.doc
    return NOT_JSON, ""


def _told_to_stop() -> bool:
    """Whether the worker has been told to shut down (warm or cold)."""
    return any(flag not in (None, False) for flag in (state.should_stop, state.should_terminate))


class SweepReportingQoS(redis_transport.QoS):
    """kombu's Redis QoS, reporting each message its visibility-timeout sweep puts back."""

    _sweeping = False

    def append(self, message: Any, delivery_tag: str) -> None:
        """Record a message taken off its queue as held (kombu's), until Redis takes it."""
        errors = self.channel.connection.connection_errors
        for attempt in itertools.count():
            try:
                super().append(message, delivery_tag)
                return
            except errors as error:
                # The record is a ZADD and an HSET of fixed values: repeating it is harmless.
                if _told_to_stop():
                    # Told to stop: the message, in no list and no hash, survives only here.
                    logger.error(
                        "stopping with a taken message Redis never recorded (%s); "
                        "requeue it by hand: %s",
                        error,
                        message._raw,
                    )
                    raise
                if attempt == 0:
                    logger.warning("Redis unreachable recording a taken message; retrying")
                time.sleep(_RECORD_RETRY_S[min(attempt, len(_RECORD_RETRY_S) - 1)])

    def restore_visible(self, *args: Any, **kwargs: Any) -> None:
        """Sweep expired messages back to their queues (kombu's), reporting each one."""
        # The sweep, a reject with requeue and the restore at shutdown all restore by tag;
        # only the sweep's are a lost worker's. One event-loop thread: a flag is enough.
        self._sweeping = True
        try:
            super().restore_visible(*args, **kwargs)
        finally:
            self._sweeping = False

    def restore_by_tag(self, tag: str, client: Any = None, leftmost: bool = False) -> None:
        """Put one held message back on its queue (kombu's); report it if the sweep did."""
        if not self._sweeping:
            super().restore_by_tag(tag, client=client, leftmost=leftmost)
            return
        with self.channel.conn_or_acquire(client) as conn:  # type: ignore[attr-defined]
            # Read first: acknowledged meanwhile, it is not in the hash and nothing is restored.
            held = conn.hget(self.unacked_key, tag)
            super().restore_by_tag(tag, client=conn, leftmost=leftmost)
        if held:
            _, _, routing_key = json.loads(bytes_to_str(held))
            messages_restored.send(sender=self, queue=str(routing_key))


class Channel(redis_transport.Channel):
    """A Redis channel that quarantines unreadable list items instead of raising."""

    Message = CheckedMessage
    QoS = SweepReportingQoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._quarantiner = Quarantiner()

    def _brpop_read(self, **options: Any) -> bool:
        try:
            return bool(super()._brpop_read(**options))  # type: ignore[misc]
        except (json.JSONDecodeError, UnreadableItemError) as error:
            # kombu moves the queue it just read to the end of its round-robin cycle.
            queues = self._queue_cycle.items  # type: ignore[attr-defined]
            self._quarantine(queues[-1] if queues else "", error)
            raise Empty() from error

    def _get_and_deliver(self, queue: str, callback: Any) -> None:
        # The synchronous path (``drain_events`` without the event loop) reads here.
        try:
            super()._get_and_deliver(queue, callback)
        except (json.JSONDecodeError, UnreadableItemError) as error:
            self._quarantine(queue, error)
            raise Empty() from error

    def _quarantine(self, queue: str, error: ValueError) -> None:
        reason, raw = _raw_text(error)
        self._quarantiner.store(queue, reason, error, raw)


class Transport(redis_transport.Transport):
    """kombu's Redis transport with the garbage-tolerant channel."""

    Channel = Channel
