"""Serving the search API in tests: a known enriched corpus, and uvicorn on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from elasticsearch import Elasticsearch

from newsloom.schema import Article, Entity, Topic
from newsloom.settings import Settings
from search.aliases import write_alias
from search.api.app import create_app
from search.bulk import bulk_index
from search.templates import ensure_index
from tests.search.corpus_articles import corpus_articles
from workers.enrichment.embeddings import DIMENSIONS

__all__ = ["API_KEY", "enriched", "indexed_corpus", "serve"]

API_KEY = "test-key-for-loopback-only"


def enriched(number: int, article: Article) -> Article:
    """Deterministic enrichment, so every filter and facet has a known answer."""
    enrichment = article.enrichment.model_copy(
        update={
            "topics": [Topic(label="nuclear" if number % 3 == 0 else "economy", score=0.9)],
            "story_id": "story-a" if number < 5 else ("story-b" if number < 8 else None),
            "story_label": "Story A" if number < 5 else ("Story B" if number < 8 else None),
            "entities": (
                [Entity(name="Kim Jong Un", type="person", mentions=2)] if number < 3 else []
            )
            + ([Entity(name="Kim Yo Jong", type="person")] if number == 3 else [])
            + ([Entity(name="Korean People's Army", type="organization")] if number == 4 else []),
            # Two near-identical vectors, so each is the other's nearest neighbour.
            "embedding": ([1.0] + [0.0] * (DIMENSIONS - 1)) if number < 2 else None,
        }
    )
    return article.model_copy(
        update={"enrichment": enrichment, "language": "en" if number % 2 else "de"}
    )


@contextmanager
def indexed_corpus(es: Elasticsearch, settings: Settings, alias: str) -> Iterator[list[Article]]:
    """The enriched corpus indexed behind ``alias``, which is dropped afterwards."""
    found = [enriched(n, a) for n, a in enumerate(corpus_articles(settings.shared_dir))]
    ensure_index(es, alias)
    try:
        report = bulk_index(es, write_alias(alias), found, refresh=True)
        assert report.indexed == len(found)
        yield found
    finally:
        es.indices.delete(index=f"{alias}-*")


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The API for ``settings``, served by uvicorn on a free loopback port; yields its URL."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
