"""Which articles a worker enriches itself and which it passes on, by language group.

Every language analyser and the spaCy model cost a worker process their memory whether it
sees one article in their language or thousands. A worker started with
``NEWSLOOM_WORKER_LANGUAGES`` serves only those groups: it consumes ``enrich`` (where
producers queue everything) and its groups' queues, loads only their models, and puts an
article of another group, once its language is identified, on that group's queue.
"""

from __future__ import annotations

from newsloom.queues import (
    ENRICH_QUEUE,
    INDEX_QUEUE,
    LANGUAGE_GROUPS,
    language_group,
    language_queue,
)
from newsloom.settings import Settings

__all__ = ["forward_queue", "served_groups", "worker_queues"]


def served_groups(settings: Settings) -> tuple[str, ...]:
    """The language groups a worker with ``settings`` enriches (all when none are set)."""
    return settings.worker_languages or LANGUAGE_GROUPS


def worker_queues(settings: Settings) -> tuple[str, ...]:
    """The queues a worker with ``settings`` consumes."""
    groups = served_groups(settings)
    return (ENRICH_QUEUE, *(language_queue(group) for group in groups), INDEX_QUEUE)


def forward_queue(settings: Settings, language: str | None, came_from: str | None) -> str | None:
    """The queue to pass an article in ``language`` on to, or ``None`` to enrich it here.

    Only an article taken from ``enrich`` is passed on: one from a language queue was routed
    already, and enriching it here (loading its models late) beats sending it round again
    when a worker is started on queues its languages do not match.
    """
    if came_from not in {ENRICH_QUEUE, None}:
        return None
    group = language_group(language)
    return None if group in served_groups(settings) else language_queue(group)
