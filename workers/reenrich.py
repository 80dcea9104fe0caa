"""Re-enrichment: queue stored articles whose stage versions differ from the running code's.

Every stage records its version on the article (``enrichment.stage_versions``), so after a
gazetteer edit or a new stage, the articles an older pipeline produced can be found in
Elasticsearch and sent through ``enrich_article`` again; indexing then replaces them in place
(same id, same fetch-time version).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from celery import Celery
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from workers.enrichment import (
    counts,
    duplicates,
    embeddings,
    entities,
    geotag,
    keywords,
    language,
    stories,
    summary,
    topics,
)

__all__ = ["current_versions", "queue_reenrichment", "stale_documents"]


def current_versions() -> dict[str, str]:
    """The version each stage of this code records, by stage name."""
    return {
        "language": language.VERSION,
        "counts": counts.VERSION,
        "entities": entities.VERSION,
        "geotag": geotag.VERSION,
        "keywords": keywords.VERSION,
        "summary": summary.VERSION,
        "topics": topics.VERSION,
        "embeddings": embeddings.VERSION,
        "duplicates": duplicates.VERSION,
        "stories": stories.VERSION,
    }


def stale_documents(
    es: Elasticsearch, alias: str, *, everything: bool = False
) -> Iterator[dict[str, Any]]:
    """Stored articles (``_source``) enriched by other stage versions (or all of them)."""
    wanted = current_versions()
    # stage_versions is stored but not indexed, so the comparison happens here.
    for hit in scan(es, index=alias, query={"query": {"match_all": {}}}, size=500):
        source: dict[str, Any] = hit["_source"]
        if everything or source.get("enrichment", {}).get("stage_versions") != wanted:
            yield source


def queue_reenrichment(
    es: Elasticsearch,
    alias: str,
    celery: Celery,
    *,
    everything: bool = False,
    on_queued: Callable[[int], None] | None = None,
) -> int:
    """Send every stale article to ``enrich_article``; return how many were queued."""
    queued = 0
    for source in stale_documents(es, alias, everything=everything):
        celery.send_task(ENRICH_TASK, args=(source,), queue=ENRICH_QUEUE)
        queued += 1
        if on_queued is not None:
            on_queued(queued)
    return queued
