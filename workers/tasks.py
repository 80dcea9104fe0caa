"""Celery tasks: ``enrich_article`` then ``index_article``, each on its own queue.

Both take the article's JSON form, so a message in the broker (or the quarantine) is a
complete, replayable copy of the work. Both use ``workers.base.PipelineTask``: transient
errors retry with backoff, permanent ones go to the quarantine with their reason.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, Elasticsearch

from newsloom.errors import TransientError
from newsloom.queues import ENRICH_TASK, INDEX_QUEUE, INDEX_TASK
from newsloom.schema import Article
from search.client import create_client
from search.indexer import index_article as write_article
from search.templates import ensure_index
from workers.app import app
from workers.base import PipelineTask
from workers.enrichment.duplicates import NearDuplicates
from workers.enrichment.language import identify_language
from workers.enrichment.pipeline import AFTER_LANGUAGE, enrich
from workers.enrichment.stories import Stories
from workers.routing import forward_queue

__all__ = ["enrich_article", "index_article"]

_RETRYABLE_STATUS = (429, 502, 503, 504)


class EnrichingTask(PipelineTask):
    """Holds the shared near-duplicate and story indexes' clients, one set per process."""

    _near_duplicates: NearDuplicates | None = None
    _stories: Stories | None = None

    @property
    def near_duplicates(self) -> NearDuplicates:
        """The LSH index in Redis."""
        if self._near_duplicates is None:
            self._near_duplicates = NearDuplicates(self.redis)
        return self._near_duplicates

    @property
    def stories(self) -> Stories:
        """The story index in Redis."""
        if self._stories is None:
            self._stories = Stories(self.redis)
        return self._stories


class IndexingTask(PipelineTask):
    """Holds one Elasticsearch client per worker process, created on first use."""

    _client: Elasticsearch | None = None

    @property
    def es(self) -> Elasticsearch:
        """The process's client; the index and its alias exist once this returns."""
        if self._client is None:
            settings = self.settings
            client = create_client(settings)
            ensure_index(client, settings.index_alias, settings.index_replicas)
            self._client = client
        return self._client


@app.task(name=ENRICH_TASK, base=EnrichingTask, bind=True)
def enrich_article(self: EnrichingTask, payload: dict[str, Any]) -> str | None:
    """Enrich one article and queue it for indexing, or pass it on to the queue of its
    language group when this worker does not serve that group (returns that queue).

    Runs twice: the stages are pure functions of the article, and the shared near-duplicate
    and story indexes key an article by its id (a second run finds it and keeps its group and
    story), so a second run queues the same document again, and indexing the same version
    twice leaves one document.
    """
    article = identify_language(Article.from_document(payload))
    came_from = (self.request.delivery_info or {}).get("routing_key")
    elsewhere = forward_queue(self.settings, article.language, came_from)
    if elsewhere is not None:
        enrich_article.apply_async(args=(payload,), queue=elsewhere)
        return elsewhere
    article = enrich(article, AFTER_LANGUAGE)
    article = self.stories.assign(self.near_duplicates.assign(article))
    index_article.apply_async(args=(article.model_dump(mode="json"),), queue=INDEX_QUEUE)
    return None


@app.task(name=INDEX_TASK, base=IndexingTask, bind=True)
def index_article(self: IndexingTask, payload: dict[str, Any]) -> bool:
    """Write one article to the ``articles`` alias.

    Runs twice: the document id is the hash of the canonical URL and the version its fetch
    time, so a second run rewrites the same document (or is refused as stale).
    """
    try:
        return write_article(self.es, self.settings.index_alias, Article.from_document(payload))
    except ApiError as error:
        if error.meta.status in _RETRYABLE_STATUS:
            raise TransientError(
                f"Elasticsearch answered {error.meta.status}; retrying with backoff"
            ) from error
        raise
