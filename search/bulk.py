"""Write many articles to Elasticsearch at once, checking the outcome of every item.

The indexing worker and the reindex both stream documents through :func:`bulk_index`. Each
item ends up in exactly one bucket: indexed, stale (a newer copy is already there: external
versioning refused it) or failed. Throttling (429) and unavailable shards (5xx) are retried
with exponential backoff by ``streaming_bulk``; what still fails is permanent and goes to the
``on_failure`` hook with Elasticsearch's reason, so the caller can quarantine it.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk
from pydantic import TypeAdapter

from newsloom.schema import Article

__all__ = [
    "RETRY_STATUSES",
    "BulkFailure",
    "BulkReport",
    "bulk_index",
    "document_version",
    "index_action",
]

# Throttled, or a shard not ready: worth another try after a pause.
RETRY_STATUSES = (429, 502, 503, 504)
_CONFLICT = 409
_DATETIME = TypeAdapter(datetime)


def document_version(fetched_at: datetime) -> int:
    """The external version of an article copy: later fetches win, equal ones may rewrite."""
    return int(fetched_at.timestamp() * 1000)


def _version_of(document: dict[str, Any]) -> int:
    # Read from the JSON form rather than the model, so a scan of an old index keeps the
    # version every copy was first written with.
    return document_version(_DATETIME.validate_python(document["fetched_at"]))


def index_action(index: str, document: dict[str, Any]) -> dict[str, Any]:
    """A bulk ``index`` action for an article's JSON form, versioned by its fetch time."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": document["id"],
        "_source": document,
        "version": _version_of(document),
        "version_type": "external_gte",
    }


@dataclass(frozen=True)
class BulkFailure:
    """One article Elasticsearch refused for good, with its reason and its JSON form."""

    article_id: str
    status: int
    reason: str
    document: dict[str, Any] | None


@dataclass
class BulkReport:
    """Counts of what happened to every item of one bulk run."""

    indexed: int = 0
    stale: int = 0
    failures: list[BulkFailure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """How many items failed permanently."""
        return len(self.failures)

    @property
    def total(self) -> int:
        """How many items were sent."""
        return self.indexed + self.stale + self.failed


def _reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    return str(error or f"status {item.get('status')}")


def _documents(items: Iterable[Article | dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item.model_dump(mode="json") if isinstance(item, Article) else item


def bulk_index(
    es: Elasticsearch,
    index: str,
    articles: Iterable[Article | dict[str, Any]],
    *,
    on_failure: Callable[[BulkFailure], None] | None = None,
    on_progress: Callable[[BulkReport], None] | None = None,
    chunk_size: int = 500,
    max_retries: int = 5,
    initial_backoff_s: float = 1.0,
    shard_wait: str = "1m",
    refresh: bool = False,
) -> BulkReport:
    """Index ``articles`` (models or their JSON form) into ``index`` (an index or write alias).

    Never lets an older copy overwrite a newer one: a refused item counts as stale, not as a
    failure. Connection errors that outlast the client's retries propagate, so a task queue
    can retry the whole batch (which is idempotent). ``shard_wait`` bounds how long one
    attempt waits for an unavailable shard before that item answers 503 and is retried.
    """
    report = BulkReport()
    # Documents in flight, kept so a permanent failure can be handed over whole; streaming
    # bulk yields each result once, so this holds at most a few chunks.
    pending: defaultdict[str, deque[dict[str, Any]]] = defaultdict(deque)

    def actions() -> Iterator[dict[str, Any]]:
        for document in _documents(articles):
            pending[document["id"]].append(document)
            yield index_action(index, document)

    results = streaming_bulk(
        es,
        actions(),
        chunk_size=chunk_size,
        max_retries=max_retries,
        initial_backoff=initial_backoff_s,
        max_backoff=60,
        retry_on_status=RETRY_STATUSES,
        raise_on_error=False,
        timeout=shard_wait,
    )
    for ok, result in results:
        item = result["index"]
        queue = pending.get(item["_id"])
        document = queue.popleft() if queue else None
        if queue is not None and not queue:
            del pending[item["_id"]]
        if ok:
            report.indexed += 1
        elif item.get("status") == _CONFLICT:
            report.stale += 1
        else:
            failure = BulkFailure(
                item["_id"], int(item.get("status", 500)), _reason(item), document
            )
            report.failures.append(failure)
            if on_failure:
                on_failure(failure)
        if on_progress:
            on_progress(report)
    if refresh:
        es.indices.refresh(index=index)
    return report
