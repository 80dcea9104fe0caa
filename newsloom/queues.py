"""Queue and task names, shared by the producers (crawler, schedule) and the consumers (workers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "ALL_QUEUES",
    "ANALYSED_LANGUAGES",
    "CRAWL_QUEUE",
    "CRAWL_TASK",
    "ENRICH_QUEUE",
    "ENRICH_TASK",
    "INDEX_QUEUE",
    "INDEX_TASK",
    "LANGUAGE_GROUPS",
    "LANGUAGE_QUEUES",
    "OTHER_LANGUAGES",
    "ROLLOVER_TASK",
    "TASK_QUEUES",
    "language_group",
    "language_queue",
    "queue_of",
]

ENRICH_QUEUE: Final = "enrich"
INDEX_QUEUE: Final = "index"
ENRICH_TASK: Final = "workers.enrich_article"
INDEX_TASK: Final = "workers.index_article"
# Producers queue every article on ``enrich``. The languages read by an analyser of their own
# (workers.enrichment.segment) also have a queue each, and the rest share one: a worker
# serving only some of them (``NEWSLOOM_WORKER_LANGUAGES``) passes an article it took from
# ``enrich`` on to its language's queue, so it never loads the other languages' models.
ANALYSED_LANGUAGES: Final = ("ko", "ja", "zh", "ru")
OTHER_LANGUAGES: Final = "other"  # English (the spaCy model) and every language without an analyser
LANGUAGE_GROUPS: Final = (*ANALYSED_LANGUAGES, OTHER_LANGUAGES)


def language_group(language: str | None) -> str:
    """The group whose workers enrich an article in ``language`` (``None``: not identified)."""
    return language if language in ANALYSED_LANGUAGES else OTHER_LANGUAGES


def language_queue(group: str) -> str:
    """The queue of one of ``LANGUAGE_GROUPS``."""
    return f"{ENRICH_QUEUE}.{group}"


LANGUAGE_QUEUES: Final = tuple(language_queue(group) for group in LANGUAGE_GROUPS)
ALL_QUEUES: Final = (ENRICH_QUEUE, *LANGUAGE_QUEUES, INDEX_QUEUE)
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
