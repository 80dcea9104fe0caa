"""The issue's evidence end to end: a real worker enriches the seeds among corpus pages into a
real Elasticsearch index, then related-article search, near-duplicates and stories are read
back the way analysts reach them.

The worker here has a broker database and an index alias of its own, so the articles other
tests index (the fixture site serves the seeds too) cannot stand in for the ones sent here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from elasticsearch import Elasticsearch
from rich.console import Console
from rich.panel import Panel

from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article
from newsloom.settings import Settings
from newsloom.state import redis_client
from newsloom_cli.render import find_article_card
from ops.dev.local.supervision import wait_until
from search.api.lookups import get_article, near_duplicates, related_articles
from tests.workers.private import private_worker
from tests.workers.seeds import corpus_bodies, gold, seed_article, seed_paths
from tests.workers.test_similarity import SITE_WRAPPER
from workers.app import create_celery
from workers.enrichment.embeddings import DIMENSIONS
from workers.enrichment.stories import Stories

pytestmark = pytest.mark.integration

PRIVATE_DB = 5
DISTRACTORS = 30


@pytest.fixture(scope="module")
def private(services: Settings, es: Elasticsearch) -> Iterator[Settings]:
    """Settings for a worker with its own broker database and index alias, running."""
    with private_worker(services, es, PRIVATE_DB, "related") as worker:
        yield worker.settings


def _send(celery: Celery, articles: list[Article]) -> None:
    for article in articles:
        celery.send_task(ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE)


def _wait_indexed(es: Elasticsearch, alias: str, articles: list[Article]) -> list[dict[str, Any]]:
    ids = [article.id for article in articles]

    def indexed() -> bool:
        return all(doc.get("found") for doc in es.mget(index=alias, ids=ids)["docs"])

    assert wait_until(indexed, 180), f"the worker did not index all {len(ids)} articles"
    es.indices.refresh(index=alias)
    return [doc["_source"] for doc in es.mget(index=alias, ids=ids)["docs"]]


@pytest.fixture(scope="module")
def seeds(private: Settings, es: Elasticsearch) -> list[Article]:
    """The seeds, sent after corpus pages on other subjects, enriched and indexed.

    The second seed is sent once the first is indexed: the story is labelled by the article
    that started it, and the worker's processes would otherwise race for that.
    """
    celery = create_celery(private)
    _send(celery, corpus_bodies()[:DISTRACTORS])
    articles = [seed_article(path, "outlet-a") for path in seed_paths()]
    _send(celery, articles[:1])
    _wait_indexed(es, private.index_alias, [*corpus_bodies()[:DISTRACTORS], articles[0]])
    _send(celery, articles[1:])
    _wait_indexed(es, private.index_alias, articles)
    return articles


def test_worker_finds_every_gold_entity_in_the_seeds(
    private: Settings, es: Elasticsearch, seeds: list[Article]
) -> None:
    stored = _wait_indexed(es, private.index_alias, seeds)
    for annotation, source in zip(gold(), stored, strict=True):
        found = {entity["name"]: entity["type"] for entity in source["enrichment"]["entities"]}
        for entity in annotation["entities"]:
            assert found.get(entity["name"]) == entity["type"], (annotation["seed"], entity)


def test_the_seeds_are_each_others_top_related_article(
    private: Settings, es: Elasticsearch, seeds: list[Article]
) -> None:
    first, second = seeds
    for article, other in ((first, second), (second, first)):
        document = get_article(es, private.index_alias, article.id)
        assert document is not None
        embedding = document["_source"]["enrichment"]["embedding"]
        assert len(embedding) == DIMENSIONS
        related = related_articles(es, private.index_alias, document, size=5)
        assert [hit.id for hit in related][:1] == [other.id], [hit.title for hit in related]


def test_the_seeds_share_a_story_but_are_not_near_duplicates(
    private: Settings, es: Elasticsearch, seeds: list[Article]
) -> None:
    first, second = _wait_indexed(es, private.index_alias, seeds)
    assert first["enrichment"]["duplicate_group"] != second["enrichment"]["duplicate_group"]
    assert first["enrichment"]["story_id"] == second["enrichment"]["story_id"]
    assert "Choe Son-hui" in first["enrichment"]["story_label"]
    # No distractor joined the seeds' story.
    story = es.count(
        index=private.index_alias,
        query={"term": {"enrichment.story_id": first["enrichment"]["story_id"]}},
    )
    assert story["count"] == 2


def test_a_rewrapped_copy_is_a_near_duplicate_and_not_a_related_article(
    private: Settings, es: Elasticsearch, seeds: list[Article]
) -> None:
    first, second = seeds
    copy = seed_article(seed_paths()[0], "outlet-b", SITE_WRAPPER)
    _send(create_celery(private), [copy])
    original, stored_copy = _wait_indexed(es, private.index_alias, [first, copy])
    assert stored_copy["enrichment"]["duplicate_group"] == original["enrichment"]["duplicate_group"]
    assert stored_copy["enrichment"]["story_id"] == original["enrichment"]["story_id"]
    # The story index ranks related articles without the article's own copies.
    with redis_client(private) as client:
        related = Stories(client).related(first.id, limit=3)
    assert related[0].article_id == second.id
    assert copy.id not in {r.article_id for r in related}
    # The article card names the outlet that ran the copy, and only on the copied article.
    stored = get_article(es, private.index_alias, first.id)
    assert stored is not None
    assert [hit.id for hit in near_duplicates(es, private.index_alias, stored, 5)] == [copy.id]
    assert "also ran" in _rendered(find_article_card(es, private.index_alias, first.id))
    assert "also ran" not in _rendered(find_article_card(es, private.index_alias, second.id))


def _rendered(card: Panel | None) -> str:
    assert card is not None
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(card)
    return console.export_text()
