"""The quarantine: dead letters for tasks that failed for good, kept in Redis with the reason.

Redis has no dead-letter exchange, so the base task (``workers.base``) writes here when an
error is permanent, retries are exhausted or a message was delivered too often. Each entry is
a complete copy of the task's arguments, so ``replay`` re-queues exactly the failed work.
The worker's consumer (``workers.unreadable``) writes here too, when a queue holds something
that is not a task it can run: those entries keep the message as received (``raw``), to be
inspected, and cannot be replayed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import redis
from celery import Celery
from pydantic import BaseModel, Field

from newsloom.schema import article_id
from newsloom.state import KEY_PREFIX

__all__ = [
    "NotReplayableError",
    "QuarantineEntry",
    "add",
    "count",
    "describe",
    "entries",
    "get",
    "purge",
    "remove",
    "replay",
]

_ENTRIES = f"{KEY_PREFIX}:quarantine:entries"  # hash: entry id -> JSON
_ORDER = f"{KEY_PREFIX}:quarantine:order"  # sorted set: entry id by failure time


class NotReplayableError(ValueError):
    """The entry holds a message that was never a runnable task; replaying it cannot help."""


class QuarantineEntry(BaseModel):
    """One failed task message, with why it failed."""

    id: str = Field(description="The failed message's Celery task id.")
    task: str
    queue: str
    args: list[Any] = Field(default_factory=list)
    reason: str
    error_type: str
    deliveries: int = 1
    failed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    raw: str | None = Field(
        default=None,
        description="The message as received, when it could not be read as a runnable task.",
    )

    @property
    def replayable(self) -> bool:
        """Whether ``replay`` can send it again (a task that ran, not an unreadable message)."""
        return self.raw is None

    @property
    def article_id(self) -> str | None:
        """The id of the article the task was about, when its payload names one."""
        payload = self.args[0] if self.args else None
        if isinstance(payload, dict) and isinstance(payload.get("canonical_url"), str):
            return article_id(payload["canonical_url"])
        return None


def add(client: redis.Redis, entry: QuarantineEntry) -> None:
    """Store ``entry``; storing the same task id again replaces it (a re-failed message)."""
    with client.pipeline(transaction=True) as pipe:
        pipe.hset(_ENTRIES, entry.id, entry.model_dump_json())
        pipe.zadd(_ORDER, {entry.id: entry.failed_at.timestamp()})
        pipe.execute()


def get(client: redis.Redis, entry_id: str) -> QuarantineEntry | None:
    """The entry with this id, or None."""
    raw = client.hget(_ENTRIES, entry_id)
    return QuarantineEntry.model_validate_json(str(raw)) if raw is not None else None


def entries(client: redis.Redis, limit: int | None = None) -> Iterator[QuarantineEntry]:
    """Entries, oldest failure first."""
    end = -1 if limit is None else limit - 1
    for entry_id in client.zrange(_ORDER, 0, end):
        entry = get(client, str(entry_id))
        if entry is not None:
            yield entry


def count(client: redis.Redis) -> int:
    """How many entries the quarantine holds."""
    return int(client.zcard(_ORDER))


def remove(client: redis.Redis, entry_id: str) -> bool:
    """Delete one entry; True if it existed."""
    with client.pipeline(transaction=True) as pipe:
        pipe.hdel(_ENTRIES, entry_id)
        pipe.zrem(_ORDER, entry_id)
        deleted, _ = pipe.execute()
    return bool(deleted)


def purge(client: redis.Redis) -> int:
    """Delete every entry; return how many there were."""
    with client.pipeline(transaction=True) as pipe:
        pipe.hlen(_ENTRIES)
        pipe.delete(_ENTRIES, _ORDER)
        size, _ = pipe.execute()
    return int(size)


def replay(client: redis.Redis, celery: Celery, entry_id: str) -> str | None:
    """Re-queue one entry's task with its original arguments; return the new task id.

    The entry is removed only after the message is in the broker, so a failed send leaves it
    in the quarantine. If the task fails again it comes back under its new task id. Raises
    ``NotReplayableError`` for an unreadable message.
    """
    entry = get(client, entry_id)
    if entry is None:
        return None
    if not entry.replayable:
        raise NotReplayableError(
            f"{entry_id} is an unreadable message ({entry.reason}), not a failed task: inspect "
            "it with `newsloom quarantine show`, fix its producer, then remove it with "
            "`newsloom quarantine purge`"
        )
    result = celery.send_task(entry.task, args=entry.args, queue=entry.queue)
    remove(client, entry_id)
    return str(result.id)


def describe(entry: QuarantineEntry) -> str:
    """The entry as indented JSON, for ``quarantine show``."""
    return json.dumps(entry.model_dump(mode="json"), indent=2, ensure_ascii=False)
