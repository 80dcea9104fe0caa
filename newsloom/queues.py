"""Queue and task names, shared by the producers (crawler, schedule) and the consumers (workers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "ALL_QUEUES",
    "CRAWL_QUEUE",
    "CRAWL_TASK",
    "ENRICH_QUEUE",
    "ENRICH_TASK",
    "INDEX_QUEUE",
    "INDEX_TASK",
    "ROLLOVER_TASK",
    "TASK_QUEUES",
    "queue_of",
]

ENRICH_QUEUE: Final = "enrich"
INDEX_QUEUE: Final = "index"
ENRICH_TASK: Final = "workers.enrich_article"
INDEX_TASK: Final = "workers.index_article"
ALL_QUEUES: Final = (ENRICH_QUEUE, INDEX_QUEUE)
# Scheduled crawls and index maintenance, consumed by the crawl worker (``ops.schedule``).
CRAWL_QUEUE: Final = "crawl"
CRAWL_TASK: Final = "workers.crawl_source"
ROLLOVER_TASK: Final = "workers.rollover_indices"
TASK_QUEUES: Final[Mapping[str, str]] = {ENRICH_TASK: ENRICH_QUEUE, INDEX_TASK: INDEX_QUEUE}


def queue_of(task_name: str, delivery_info: Mapping[str, Any] | None = None) -> str:
    """The queue a task's message came from (or is routed to), for replays."""
    routing_key = (delivery_info or {}).get("routing_key")
    if isinstance(routing_key, str) and routing_key:
        return routing_key
    return TASK_QUEUES.get(task_name, ENRICH_QUEUE)
