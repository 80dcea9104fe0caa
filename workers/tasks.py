"""Celery tasks: ``enrich_article`` then ``index_article``, each on its own queue.

Both take the article's JSON form, so a message in the broker (or the quarantine) is a
complete, replayable copy of the work.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch

from newsloom.schema import Article
from newsloom.settings import get_settings
from search.client import create_client
from search.indexer import index_article as write_article
from search.templates import ensure_index
from workers.app import app
from workers.enrichment.pipeline import enrich
from workers.queues import ENRICH_TASK, INDEX_QUEUE, INDEX_TASK

__all__ = ["enrich_article", "index_article"]

_TRANSIENT = (ConnectionError, ConnectionTimeout)


class IndexingTask(Task):  # type: ignore[type-arg]
    """Holds one Elasticsearch client per worker process, created on first use."""

    _client: Elasticsearch | None = None

    @property
    def es(self) -> Elasticsearch:
        """The process's client; the index and its alias exist once this returns."""
        if self._client is None:
            settings = get_settings()
            client = create_client(settings)
            ensure_index(client, settings.index_alias, settings.index_replicas)
            self._client = client
        return self._client


@app.task(name=ENRICH_TASK, acks_late=True)
def enrich_article(payload: dict[str, Any]) -> None:
    """Enrich one article and queue it for indexing.

    Idempotent: enrichment is a pure function of the article, so running twice queues the same
    document twice, and indexing the same version twice leaves one document.
    """
    article = enrich(Article.from_document(payload))
    index_article.apply_async(args=(article.model_dump(mode="json"),), queue=INDEX_QUEUE)


@app.task(
    name=INDEX_TASK,
    base=IndexingTask,
    bind=True,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=12,
)
def index_article(self: IndexingTask, payload: dict[str, Any]) -> bool:
    """Write one article to the ``articles`` alias.

    Idempotent: the document id is the hash of the canonical URL and the version its fetch
    time, so a second run rewrites the same document (or is refused as stale).
    """
    try:
        return write_article(self.es, get_settings().index_alias, Article.from_document(payload))
    except ApiError as error:
        if error.meta.status in (429, 502, 503, 504):
            raise self.retry(exc=error) from error
        raise
