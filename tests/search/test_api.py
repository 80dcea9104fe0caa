"""The search API, served by uvicorn on loopback and called over HTTP, on real Elasticsearch."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import uvicorn
from elasticsearch import Elasticsearch

from newsloom.schema import Article, Entity, Topic
from newsloom.settings import Settings
from search.aliases import write_alias
from search.api.app import create_app
from search.bulk import bulk_index
from search.templates import ensure_index
from tests.search.corpus_articles import corpus_articles

pytestmark = pytest.mark.integration

ALIAS = "apitest"
API_KEY = "test-key-for-loopback-only"


def _enriched(number: int, article: Article) -> Article:
    """Deterministic enrichment, so every filter and facet has a known answer."""
    enrichment = article.enrichment.model_copy(
        update={
            "topics": [Topic(label="nuclear" if number % 3 == 0 else "economy", score=0.9)],
            "story_id": "story-a" if number < 5 else ("story-b" if number < 8 else None),
            "story_label": "Story A" if number < 5 else ("Story B" if number < 8 else None),
            "entities": (
                [Entity(name="Kim Jong Un", type="person", mentions=2)] if number < 3 else []
            )
            + ([Entity(name="Kim Yo Jong", type="person")] if number == 3 else []),
            # Two near-identical vectors, so each is the other's nearest neighbour.
            "embedding": ([1.0] + [0.0] * 383) if number < 2 else None,
        }
    )
    return article.model_copy(
        update={"enrichment": enrichment, "language": "en" if number % 2 else "de"}
    )


@pytest.fixture(scope="module")
def articles(es: Elasticsearch, settings: Settings) -> Iterator[list[Article]]:
    found = [_enriched(n, a) for n, a in enumerate(corpus_articles(settings.shared_dir))]
    ensure_index(es, ALIAS)
    report = bulk_index(es, write_alias(ALIAS), found, refresh=True)
    assert report.indexed == len(found)
    yield found
    es.indices.delete(index=f"{ALIAS}-*")


def _serve(settings: Settings) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def api(services: Settings, articles: list[Article]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=next(_serve(services.model_copy(update={"index_alias": ALIAS}))),
                      timeout=30) as client:  # fmt: skip
        yield client


def _entity_names(article: Article) -> set[str]:
    return {entity.name for entity in article.enrichment.entities}


def _all_pages(api: httpx.Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    page = api.get("/search", params=params).raise_for_status().json()
    while True:
        hits.extend(page["hits"])
        if not page["next_cursor"]:
            return hits
        page = api.get("/search", params={"cursor": page["next_cursor"]}).raise_for_status().json()


def test_openapi_is_published(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").raise_for_status().json()
    assert {"/search", "/articles/{article_id}", "/stories", "/entities", "/health"} <= set(
        spec["paths"]
    )


def test_free_text_ranks_and_highlights(api: httpx.Client) -> None:
    page = api.get("/search", params={"q": "China"}).raise_for_status().json()
    assert page["total"] >= 5
    assert all("<em>china</em>" in hit["snippet"].lower() for hit in page["hits"])
    scores = [hit["score"] for hit in page["hits"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        ("country", "US", lambda a: "US" in a.enrichment.countries),
        ("source", "APNews", lambda a: a.source_name == "APNews"),
        ("language", "en", lambda a: a.language == "en"),
        ("topic", "nuclear", lambda a: any(t.label == "nuclear" for t in a.enrichment.topics)),
        ("entity", "Kim Jong Un", lambda a: "Kim Jong Un" in _entity_names(a)),
        ("story", "story-b", lambda a: a.enrichment.story_id == "story-b"),
    ],
)  # fmt: skip
def test_each_filter_selects_exactly_its_articles(
    api: httpx.Client, articles: list[Article], parameter: str, value: str, expected: Any
) -> None:
    hits = _all_pages(api, {parameter: value, "size": 50})
    assert sorted(hit["id"] for hit in hits) == sorted(a.id for a in articles if expected(a))


def test_date_range_and_combined_filters(api: httpx.Client, articles: list[Article]) -> None:
    params = {"published_from": "2024-01-01T00:00:00Z", "published_to": "2024-12-31T23:59:59Z",
              "language": "de", "size": 100}  # fmt: skip
    hits = _all_pages(api, params)
    wanted = [
        a.id
        for a in articles
        if a.published_at and a.published_at.year == 2024 and a.language == "de"
    ]
    assert wanted and sorted(hit["id"] for hit in hits) == sorted(wanted)


def test_facets_count_matching_articles(api: httpx.Client, articles: list[Article]) -> None:
    facets = api.get("/search", params={"size": 1}).raise_for_status().json()["facets"]
    countries = Counter(c for a in articles for c in a.enrichment.countries)
    # The top 20 values, each with its exact count (ties at the cut may go either way).
    assert len(facets["country"]) == 20
    assert all(countries[f["value"]] == f["count"] for f in facets["country"])
    assert facets["country"][0] == {"value": "DE", "count": countries["DE"]}
    assert {f["value"]: f["count"] for f in facets["entity"]} == {
        "Kim Jong Un": 3,
        "Kim Yo Jong": 1,
    }
    assert {f["value"]: f["count"] for f in facets["story"]} == {"story-a": 5, "story-b": 3}


def test_cursor_walks_every_page_once_in_date_order(
    api: httpx.Client, articles: list[Article]
) -> None:
    hits = _all_pages(api, {"sort": "date", "size": 7})
    assert len(hits) == len(articles)
    assert len({hit["id"] for hit in hits}) == len(articles)
    dates = [datetime.fromisoformat(hit["published_at"]) for hit in hits]
    assert dates == sorted(dates, reverse=True)


def test_article_related_and_stories(api: httpx.Client, articles: list[Article]) -> None:
    first = articles[0]
    stored = api.get(f"/articles/{first.id}").raise_for_status().json()
    assert stored["title"] == first.title and "embedding" not in stored["enrichment"]
    related = api.get(f"/articles/{first.id}/related").raise_for_status().json()
    assert related[0]["id"] == articles[1].id  # the nearest embedding comes first
    assert first.id not in {hit["id"] for hit in related}
    # Without an embedding, related articles come from shared wording.
    worded = api.get(f"/articles/{articles[2].id}/related").raise_for_status().json()
    assert worded and articles[2].id not in {hit["id"] for hit in worded}
    stories = api.get("/stories").raise_for_status().json()
    assert {(s["id"], s["label"], s["articles"]) for s in stories} == {
        ("story-a", "Story A", 5), ("story-b", "Story B", 3)
    }  # fmt: skip
    story = api.get("/stories/story-a").raise_for_status().json()
    assert sorted(h["id"] for h in story) == sorted(a.id for a in articles[:5])
    dates = [datetime.fromisoformat(hit["published_at"]) for hit in story]
    assert dates == sorted(dates)


def test_entity_autocomplete(api: httpx.Client) -> None:
    found = api.get("/entities", params={"prefix": "kim j"}).raise_for_status().json()
    assert found == [{"name": "Kim Jong Un", "type": "person", "articles": 3}]
    assert len(api.get("/entities", params={"prefix": "Kim"}).json()) == 2


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/search", {"q": "x" * 501}, 422),
        ("/search", {"size": 1000}, 422),
        ("/search", {"size": 0}, 422),
        ("/search", {"sort": "popularity"}, 422),
        ("/search", {"cursor": "not-a-cursor"}, 400),
        ("/search", {"published_from": "2025-01-01", "published_to": "2024-01-01"}, 400),
        ("/search", {"published_from": "last tuesday"}, 422),
        ("/search", {"q": '"unbalanced ((( -- | +'}, 200),
        ("/articles/not-an-id", {}, 422),
        ("/articles/" + "0" * 32, {}, 404),
        ("/articles/" + "0" * 32 + "/related", {}, 404),
        ("/stories/no-such-story", {}, 404),
        ("/entities", {}, 422),
        ("/nowhere", {}, 404),
    ],
)
def test_bad_input_is_a_clear_4xx(
    api: httpx.Client, path: str, params: dict[str, Any], status: int
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.json()["detail"]


def test_health_and_metrics(api: httpx.Client) -> None:
    assert api.get("/health").raise_for_status().json()["alias_exists"] is True
    metrics = api.get("/metrics").raise_for_status().text
    assert 'newsloom_api_requests_total{route="/search",status="200"}' in metrics


def test_api_key_is_required_when_set(services: Settings, articles: list[Article]) -> None:
    locked = services.model_copy(update={"index_alias": ALIAS, "api_key": API_KEY})
    serving = _serve(locked)
    base = next(serving)
    try:
        assert httpx.get(f"{base}/search").status_code == 401
        assert httpx.get(f"{base}/search", headers={"X-API-Key": "wrong"}).status_code == 401
        assert httpx.get(f"{base}/search", headers={"X-API-Key": API_KEY}).status_code == 200
        assert httpx.get(f"{base}/health").status_code == 200
    finally:
        next(serving, None)
