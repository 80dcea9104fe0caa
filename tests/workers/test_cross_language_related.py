"""Stories across languages end to end: a real worker enriches a Japanese report on South
Korea's martial law and an English one on the same event, among pages on other events, into
a real Elasticsearch index; then the story, related coverage and an entity search are read
back the way analysts reach them.

The worker has a broker database and an index alias of its own, so what other tests index
cannot stand in for the articles sent here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

from newsloom.schema import Article
from newsloom.settings import Settings
from search.api.lookups import get_article, related_articles
from search.request import SearchRequest
from search.results import run_search
from tests.workers.private import private_worker
from tests.workers.seeds import corpus_bodies, cross_language_pair, publisher_article
from tests.workers.test_cross_language_stories import MARTIAL_LAW, OTHER_PAGES
from tests.workers.test_related import _send, _wait_indexed
from workers.app import create_celery

pytestmark = pytest.mark.integration

PRIVATE_DB = 13
DISTRACTORS = 20


@pytest.fixture(scope="module")
def private(services: Settings, es: Elasticsearch) -> Iterator[Settings]:
    """Settings for a worker with its own broker database and index alias, running."""
    with private_worker(services, es, PRIVATE_DB, "cross-language") as worker:
        yield worker.settings


@pytest.fixture(scope="module")
def pair(private: Settings, es: Elasticsearch) -> tuple[Article, Article]:
    """The Japanese report, sent after pages on other events (dated the same day), then the
    English one once the Japanese is indexed (the story is named after the article that
    started it, and the worker's processes would otherwise race for that)."""
    japanese, english = cross_language_pair(MARTIAL_LAW)
    others = [
        page.model_copy(update={"published_at": japanese.published_at})
        for page in [publisher_article(p) for p in OTHER_PAGES] + corpus_bodies()[:DISTRACTORS]
    ]
    celery = create_celery(private)
    _send(celery, [*others, japanese])
    _wait_indexed(es, private.index_alias, [*others, japanese])
    _send(celery, [english])
    _wait_indexed(es, private.index_alias, [english])
    return japanese, english


def test_the_two_reports_share_a_story_and_nothing_else_joins_it(
    private: Settings, es: Elasticsearch, pair: tuple[Article, Article]
) -> None:
    japanese, english = _wait_indexed(es, private.index_alias, list(pair))
    assert (japanese["language"], english["language"]) == ("ja", "en")
    story = japanese["enrichment"]["story_id"]
    assert english["enrichment"]["story_id"] == story
    count = es.count(index=private.index_alias, query={"term": {"enrichment.story_id": story}})
    assert count["count"] == 2


def test_related_coverage_of_each_shows_the_other(
    private: Settings, es: Elasticsearch, pair: tuple[Article, Article]
) -> None:
    for article, other in (pair, pair[::-1]):
        document = get_article(es, private.index_alias, article.id)
        assert document is not None
        related = related_articles(es, private.index_alias, document, size=5)
        assert [hit.id for hit in related][:1] == [other.id], [hit.title for hit in related]


def test_a_search_by_the_canonical_name_finds_both(
    private: Settings, es: Elasticsearch, pair: tuple[Article, Article]
) -> None:
    request = SearchRequest(entity=["Yoon Suk-yeol"])
    page = run_search(es, private.index_alias, request, timeout_s=10)
    # Both reports; a Korean page on the party after his fall may name him too.
    assert {article.id for article in pair} <= {hit.id for hit in page.hits}
