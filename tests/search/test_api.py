"""The search API, served by uvicorn on loopback and called over HTTP, on real Elasticsearch."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import ConnectionTimeout, Elasticsearch, NotFoundError
from pydantic import HttpUrl

from newsloom.schema import Article
from newsloom.settings import Settings
from search.aliases import write_alias
from search.api.app import create_app
from search.api.dependencies import MissingApiKeyError
from search.api.lookups import get_article, related_articles
from search.bulk import bulk_index
from search.client import create_client
from search.query import search_articles
from search.request import SearchRequest
from search.results import run_search
from search.templates import ensure_index
from tests.ops.test_metrics_crawler import free_port
from tests.search.api_serving import API_KEY, indexed_corpus, serve
from tests.search.corpus_articles import corpus_articles
from workers.enrichment.embeddings import DIMENSIONS

pytestmark = pytest.mark.integration

ALIAS = "apitest"
CURSOR_KEY = "cursor-secret-for-tests"


@pytest.fixture(scope="module")
def articles(es: Elasticsearch, settings: Settings) -> Iterator[list[Article]]:
    with indexed_corpus(es, settings, ALIAS) as found:
        yield found


def _locked(services: Settings, **changes: Any) -> Settings:
    """The test alias behind a key and a known cursor secret."""
    update = {"index_alias": ALIAS, "api_key": API_KEY, "api_cursor_secret": CURSOR_KEY}
    return services.model_copy(update={**update, **changes})


@pytest.fixture(scope="module")
def api(services: Settings, articles: list[Article]) -> Iterator[httpx.Client]:
    with (
        serve(_locked(services)) as base,
        httpx.Client(base_url=base, timeout=30, headers={"X-API-Key": API_KEY}) as client,
    ):
        yield client


def _entity_names(article: Article) -> set[str]:
    return {entity.name for entity in article.enrichment.entities}


def _entity_types(article: Article) -> set[str]:
    return {entity.type for entity in article.enrichment.entities}


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
        ("entity_type", "organization", lambda a: "organization" in _entity_types(a)),
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
        "Korean People's Army": 1,
    }
    assert {f["value"]: f["count"] for f in facets["story"]} == {"story-a": 5, "story-b": 3}
    values_of: dict[str, Callable[[Article], list[str | None]]] = {
        "source": lambda a: [a.source_name],
        "language": lambda a: [a.language],
        "topic": lambda a: [t.label for t in a.enrichment.topics],
    }
    for name, value_of in values_of.items():
        expected = Counter(v for a in articles for v in value_of(a))
        counted = {f["value"]: f["count"] for f in facets[name]}
        assert counted and all(expected[value] == count for value, count in counted.items())
        assert len(counted) == min(20, len(expected)), name


def test_facets_count_only_the_filtered_articles(
    api: httpx.Client, articles: list[Article]
) -> None:
    page = api.get("/search", params={"topic": "nuclear", "size": 1}).raise_for_status().json()
    nuclear = [a for a in articles if a.enrichment.topics[0].label == "nuclear"]
    assert page["total"] == len(nuclear)
    assert page["facets"]["topic"] == [{"value": "nuclear", "count": len(nuclear)}]
    languages = Counter(a.language for a in nuclear)
    assert {f["value"]: f["count"] for f in page["facets"]["language"]} == languages


def test_entity_name_and_type_must_hold_for_the_same_entity(api: httpx.Client) -> None:
    both = {"entity": "Kim Jong Un", "entity_type": "person"}
    assert api.get("/search", params=both).raise_for_status().json()["total"] == 3
    mismatched = {"entity": "Kim Jong Un", "entity_type": "organization"}
    assert api.get("/search", params=mismatched).raise_for_status().json()["total"] == 0


def test_text_search_sorted_by_date(api: httpx.Client) -> None:
    hits = _all_pages(api, {"q": "China", "sort": "date", "size": 4})
    assert len(hits) >= 5
    dates = [datetime.fromisoformat(hit["published_at"]) for hit in hits]
    assert dates == sorted(dates, reverse=True)
    assert all("<em>" in hit["snippet"] for hit in hits)


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
        ("/search", {"published_to": "0.5"}, 422),  # not seconds since 1970
        ("/search", {"q": '"unbalanced ((( -- | +'}, 200),
        ("/search", {"q": "x" * 500}, 200),
        ("/search", {"q": "~\\/<>{}[]^:!\x00"}, 200),
        ("/search", {"q": 'Pyongyang~2 "missile test"~5'}, 200),  # fuzzy and slop are off
        ("/search", {"q": "sanction* missil*"}, 200),
        ("/search", {"q": "a*"}, 400),
        ("/search", {"q": "*"}, 400),
        ("/search", {"q": "kim* moon* yoon* park*"}, 400),
        ("/search", {"q": " ".join(["abc*"] * 100)}, 400),
        ("/search", {"published_from": "2024-01-01", "published_to": "2024-06-01T00:00Z"}, 200),
        ("/search", {"published_from": "0001-01-01T00:00:00Z"}, 200),
        ("/search", {"published_from": "0001-01-01T00:00:00+14:00"}, 200),
        ("/search", {"published_to": "9999-12-31T23:59:59-14:00"}, 200),
        ("/search", {"q": "(" * 500}, 200),
        ("/search", {"q": "(" * 250 + ")" * 250}, 200),
        ("/search", {"q": '-"' * 250}, 200),
        ("/search", {"published_from": "2024-13-45"}, 422),
        ("/search", {"size": "ten"}, 422),
        ("/search", {"size": 10**30}, 422),
        ("/search", {"entity_type": "weather"}, 422),
        ("/search", {"country": ["XX"] * 51}, 422),
        ("/search", {"country": ["X" * 201]}, 422),
        ("/search", {"cursor": "W10="}, 400),  # valid base64 of "[]"
        ("/search", {"cursor": "W10=.W10="}, 400),
        ("/search", {"cursor": "x" * 9000}, 422),
        ("/articles/" + "A" * 32, {}, 422),
        ("/articles/" + "0" * 32 + "/related", {"size": 0}, 422),
        ("/stories", {"size": 1000}, 422),
        ("/stories/" + "s" * 201, {}, 422),
        ("/stories/..", {}, 404),
        ("/entities", {"prefix": "k" * 101}, 422),
        ("/articles/not-an-id", {}, 422),
        ("/articles/" + "0" * 32, {}, 404),
        ("/articles/" + "0" * 32 + "/related", {}, 404),
        ("/stories/no-such-story", {}, 404),
        ("/entities", {}, 422),
        ("/nowhere", {}, 404),
    ],
)
def test_bad_input_is_a_clear_4xx_in_the_one_error_shape(
    api: httpx.Client, path: str, params: dict[str, Any], status: int
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == status, response.text
    if status >= 400:
        body = response.json()
        assert set(body) == {"status", "detail"} and body["status"] == status, body
        assert isinstance(body["detail"], str) and len(body["detail"]) > 10


def test_a_costly_query_is_refused_naming_the_parameter_and_the_fix(api: httpx.Client) -> None:
    response = api.get("/search", params={"q": "kim* moon* yoon* park*"})
    assert response.json() == {
        "status": 400, "detail": "q: the query has 4 prefixes (word*); use at most 3"
    }  # fmt: skip


def test_a_wrong_method_is_a_405_naming_the_allowed_one(api: httpx.Client) -> None:
    response = api.post("/search")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["status"] == 405


def test_openapi_documents_key_tags_ids_and_one_error_shape(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").raise_for_status().json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": spec["components"]["securitySchemes"]["ApiKey"]["description"],
    }  # fmt: skip
    operations = {op["operationId"]: op for ops in spec["paths"].values() for op in ops.values()}
    assert set(operations) == {
        "search_articles", "read_article", "list_related_articles", "list_stories",
        "list_story_articles", "complete_entities", "check_health",
    }  # fmt: skip
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for name, operation in operations.items():
        assert operation["tags"], name
        assert ("security" in operation) == (name != "check_health"), name
        success = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert success != {}, name  # a typed body, not "any object"
        for status, response in operation["responses"].items():
            if status != "200":
                assert response["content"]["application/json"]["schema"] == error_ref, name
        if name != "check_health":
            assert {"401", "422", "500", "503"} <= set(operation["responses"]), name
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_date_in_an_answer_has_its_time_zone(
    api: httpx.Client, articles: list[Article]
) -> None:
    def aware(text: str | None) -> bool:
        return text is None or datetime.fromisoformat(text).utcoffset() is not None

    hits = api.get("/search", params={"size": 50}).raise_for_status().json()["hits"]
    assert hits and all(aware(hit["published_at"]) for hit in hits)
    stored = api.get(f"/articles/{articles[0].id}").raise_for_status().json()
    assert all(aware(stored[field]) for field in ("published_at", "modified_at", "fetched_at"))
    stories = api.get("/stories").raise_for_status().json()
    assert stories and all(aware(s["first_published"]) and aware(s["last_published"])
                           for s in stories)  # fmt: skip


def test_health_and_metrics(api: httpx.Client) -> None:
    assert api.get("/health").raise_for_status().json()["alias_exists"] is True
    metrics = api.get("/metrics").raise_for_status().text
    assert 'newsloom_api_requests_total{route="/search",status="200"}' in metrics


def test_api_key_is_required(services: Settings, articles: list[Article]) -> None:
    with serve(_locked(services)) as base:
        missing = httpx.get(f"{base}/search")
        assert missing.status_code == 401
        assert missing.json() == {
            "status": 401, "detail": "missing or wrong API key: send it in the X-API-Key header"
        }  # fmt: skip
        assert httpx.get(f"{base}/search", headers={"X-API-Key": "wrong"}).status_code == 401
        # The key is checked before the parameters, so a caller without one learns nothing.
        assert httpx.get(f"{base}/search", params={"size": 0}).status_code == 401
        assert httpx.get(f"{base}/stories/x", headers={"X-API-Key": API_KEY}).status_code == 404
        assert httpx.get(f"{base}/search", headers={"X-API-Key": API_KEY}).status_code == 200
        assert httpx.get(f"{base}/health").status_code == 200
        assert httpx.get(f"{base}/metrics").status_code == 200  # Prometheus sends no key
        assert httpx.get(f"{base}/openapi.json").status_code == 200


def test_the_api_refuses_to_start_without_a_key_unless_open_access_is_allowed(
    services: Settings, articles: list[Article]
) -> None:
    closed = services.model_copy(update={"index_alias": ALIAS, "api_open_access": False})
    with pytest.raises(MissingApiKeyError, match="NEWSLOOM_API_OPEN_ACCESS"):
        create_app(closed)
    with serve(closed.model_copy(update={"api_open_access": True})) as base:
        assert httpx.get(f"{base}/search").status_code == 200


def test_the_key_and_cursor_secret_can_come_from_files(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("from-a-file\n", encoding="utf-8")
    (tmp_path / "cursor").write_text("cursor-from-a-file", encoding="utf-8")
    read = Settings(api_key_file=tmp_path / "key", api_cursor_secret_file=tmp_path / "cursor")
    assert (read.api_key, read.api_cursor_secret) == ("from-a-file", "cursor-from-a-file")
    with pytest.raises(ValueError, match="not both"):
        Settings(api_key="inline", api_key_file=tmp_path / "key")


def _cursor_parts(cursor: str) -> tuple[dict[str, Any], str]:
    payload, signature = cursor.split(".")
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))), signature


def _signed(payload: bytes, alias: str = ALIAS, key: str = CURSOR_KEY) -> str:
    """A cursor signed as the API signs them, around any payload."""
    mac = hmac.new(key.encode(), alias.encode() + b"\0" + payload, hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return f"{b64(payload)}.{b64(mac)}"


def test_edited_foreign_and_expired_cursors_are_a_400(
    api: httpx.Client, es: Elasticsearch, articles: list[Article]
) -> None:
    first = api.get("/search", params={"size": 2}).raise_for_status().json()
    state, signature = _cursor_parts(first["next_cursor"])
    edited = json.dumps({**state, "seen": 0}).encode()
    unsigned = base64.urlsafe_b64encode(edited).decode().rstrip("=") + "." + signature
    for bad in (unsigned, _signed(edited, alias="another"), _signed(edited, key="guessed")):
        response = api.get("/search", params={"cursor": bad})
        assert response.status_code == 400, response.text
        assert "not one this API returned" in response.json()["detail"]
    es.close_point_in_time(id=state["pit"])
    response = api.get("/search", params={"cursor": first["next_cursor"]})
    assert response.status_code == 400, response.text
    assert "start the search again" in response.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [
        b'{"request": {}, "pit": "x", "after": [], "seen": 1e400, "total": 5}',
        b'{"request": {}, "pit": "x", "after": [NaN], "seen": 1, "total": 5}',
        b"[" * 3000 + b"]" * 3000,
        b'{"request": {"size": 100000}, "pit": "x", "after": [], "seen": 1, "total": 5}',
        b'{"request": {}, "pit": "x", "after": [], "seen": 1, "total": 5, "extra": 1}',
        b"\xff\xfe not json",
    ],
)
def test_a_signed_but_malformed_cursor_is_a_400_not_a_500(
    api: httpx.Client, payload: bytes
) -> None:
    # Even a leaked secret must not turn into a server error.
    response = api.get("/search", params={"cursor": _signed(payload)})
    assert response.status_code == 400, response.text
    assert response.json()["status"] == 400


def test_a_listing_closes_its_point_in_time_when_it_ends(
    api: httpx.Client, es: Elasticsearch, articles: list[Article]
) -> None:
    def open_contexts() -> int:
        stats = es.nodes.stats(metric="indices", index_metric="search")
        return sum(n["indices"]["search"]["open_contexts"] for n in stats["nodes"].values())

    before = open_contexts()
    page = api.get("/search", params={"size": 40}).raise_for_status().json()
    assert page["next_cursor"] and open_contexts() > before
    assert len(_all_pages(api, {"size": 40})) == len(articles)
    while page["next_cursor"]:
        page = api.get("/search", params={"cursor": page["next_cursor"]}).json()
    assert open_contexts() == before


def test_cors_lets_only_configured_origins_read_answers(
    services: Settings, articles: list[Article]
) -> None:
    allowed = "https://analysts.example"
    with serve(_locked(services, api_cors_origins=[allowed])) as base:
        # A browser's preflight carries no key; it must pass so the real call can send one.
        preflight = httpx.options(
            f"{base}/search",
            headers={"Origin": allowed, "Access-Control-Request-Method": "GET",
                     "Access-Control-Request-Headers": "X-API-Key"},
        )  # fmt: skip
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == allowed
        assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
        call = httpx.get(f"{base}/search", headers={"Origin": allowed, "X-API-Key": API_KEY})
        assert call.status_code == 200
        assert call.headers["access-control-allow-origin"] == allowed
        foreign = httpx.get(
            f"{base}/search", headers={"Origin": "https://elsewhere.example", "X-API-Key": API_KEY}
        )
        assert "access-control-allow-origin" not in foreign.headers


def test_without_configured_origins_no_browser_origin_is_let_in(api: httpx.Client) -> None:
    answer = api.get("/health", headers={"Origin": "https://analysts.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_unreachable_elasticsearch_and_missing_index_are_503s(services: Settings) -> None:
    down = _locked(services, elasticsearch_url=HttpUrl(f"http://127.0.0.1:{free_port()}"))
    key = {"X-API-Key": API_KEY}
    with serve(down) as base:
        health = httpx.get(f"{base}/health", timeout=60)
        assert health.status_code == 503 and health.json()["status"] == 503
        response = httpx.get(f"{base}/search", params={"q": "China"}, headers=key, timeout=60)
        assert response.status_code == 503 and "unreachable" in response.json()["detail"]
    with serve(_locked(services, index_alias="neverinitialised")) as base:
        assert httpx.get(f"{base}/health").status_code == 503
        response = httpx.get(f"{base}/search", params={"q": "China"}, headers=key)
        assert response.status_code == 503 and "newsloom index init" in response.json()["detail"]


class _SilentServer:
    """A loopback TCP server that reads requests and never answers; counts connections."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            self._held.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self._held:
            connection.close()


def test_a_timed_out_search_is_not_retried(services: Settings) -> None:
    silent = _SilentServer()
    try:
        client = create_client(
            services.model_copy(
                update={"elasticsearch_url": HttpUrl(f"http://127.0.0.1:{silent.port}")}
            )
        )
        request = SearchRequest(text="China", size=1)
        with pytest.raises(ConnectionTimeout):
            # The client waits 5 s past the server-side timeout, then gives up: once.
            run_search(client, ALIAS, request, timeout_s=0.5)
        assert silent.connections == 1
    finally:
        silent.close()


def test_searches_carry_the_server_side_timeout(es: Elasticsearch, articles: list[Article]) -> None:
    page = run_search(es, ALIAS, SearchRequest(text="China"), timeout_s=3)
    assert page.hits and not page.timed_out


def test_an_error_inside_one_msearch_is_raised_as_that_search_alone_would(
    es: Elasticsearch,
) -> None:
    # Without a point in time (the CLI's one page), the missing index is first seen inside
    # the msearch; the caller still gets the exception and status a lone search gives.
    with pytest.raises(NotFoundError) as raised:
        search_articles(es, "neverinitialised", "China")
    assert raised.value.error == "index_not_found_exception"
    assert raised.value.meta.status == 404


def test_a_last_full_page_has_no_cursor(api: httpx.Client) -> None:
    page = api.get("/search", params={"story": "story-a", "size": 5}).raise_for_status().json()
    assert (page["total"], len(page["hits"]), page["next_cursor"]) == (5, 5, None)


def test_the_same_question_again_is_counted_from_the_request_cache(
    api: httpx.Client, es: Elasticsearch
) -> None:
    def cache_hits() -> int:
        stats = es.indices.stats(index=ALIAS, metric="request_cache")
        return int(stats["_all"]["total"]["request_cache"]["hit_count"])

    params: dict[str, str | int] = {"q": "sanctions", "language": "en", "size": 3}
    first = api.get("/search", params=params).raise_for_status().json()
    before = cache_hits()
    again = api.get("/search", params=params).raise_for_status().json()
    assert cache_hits() > before
    assert (again["total"], again["facets"]) == (first["total"], first["facets"])


def test_related_articles_leave_out_the_articles_own_near_duplicates(
    es: Elasticsearch, settings: Settings
) -> None:
    alias = "apidup"
    original, copy, other = corpus_articles(settings.shared_dir)[:3]
    near = [1.0] + [0.0] * (DIMENSIONS - 1)
    nearby = [0.9, 0.1] + [0.0] * (DIMENSIONS - 2)
    grouped = [
        original.model_copy(
            update={"enrichment": original.enrichment.model_copy(
                update={"embedding": near, "duplicate_group": "wire-1"})}
        ),
        # A syndicated copy: the same text and vector under another URL.
        copy.model_copy(
            update={"title": original.title, "body": original.body,
                    "enrichment": copy.enrichment.model_copy(
                        update={"embedding": near, "duplicate_group": "wire-1"})}
        ),
        other.model_copy(
            update={"enrichment": other.enrichment.model_copy(update={"embedding": nearby})}
        ),
    ]  # fmt: skip
    ensure_index(es, alias)
    try:
        bulk_index(es, write_alias(alias), grouped, refresh=True)
        stored = get_article(es, alias, original.id)
        assert stored is not None
        related = [hit.id for hit in related_articles(es, alias, stored, 5)]
        assert related[:1] == [other.id]
        assert copy.id not in related
    finally:
        es.indices.delete(index=f"{alias}-*")
