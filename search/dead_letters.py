"""Send articles Elasticsearch refused for good to the workers' quarantine, replayable.

A bulk run (the reindex, a backfill) has no Celery message of its own, so each failure
becomes an entry shaped like a failed ``index`` task: ``newsloom quarantine replay`` then
queues that task with the article's JSON form, once the cause is fixed.
"""

from __future__ import annotations

from collections.abc import Callable

import redis

from newsloom import quarantine
from newsloom.queues import INDEX_QUEUE, INDEX_TASK
from search.bulk import BulkFailure

__all__ = ["entry_id", "quarantine_failure", "quarantine_sink"]


def entry_id(article_id: str) -> str:
    """The quarantine id of an article's bulk failure: a re-failure replaces the entry."""
    return f"bulk-{article_id}"


def quarantine_failure(client: redis.Redis, failure: BulkFailure) -> quarantine.QuarantineEntry:
    """Store ``failure`` in the quarantine with Elasticsearch's status and reason."""
    entry = quarantine.QuarantineEntry(
        id=entry_id(failure.article_id),
        task=INDEX_TASK,
        queue=INDEX_QUEUE,
        args=[failure.document] if failure.document is not None else [],
        reason=f"Elasticsearch refused the document ({failure.status}): {failure.reason}",
        error_type="BulkIndexError",
    )
    quarantine.add(client, entry)
    return entry


def quarantine_sink(client: redis.Redis) -> Callable[[BulkFailure], None]:
    """An ``on_failure`` hook for :func:`search.bulk.bulk_index` that quarantines."""

    def sink(failure: BulkFailure) -> None:
        quarantine_failure(client, failure)

    return sink
