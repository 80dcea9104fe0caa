"""The search API: ``create_app(settings)`` builds it, ``newsloom api`` serves it with uvicorn.

Every bad input is a 4xx with a message saying what to change; an Elasticsearch outage is a
503. Metrics live in a registry of the app's own, so two apps in one process never mix them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from elasticsearch import ApiError, Elasticsearch, TransportError
from fastapi import FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from pydantic import ValidationError

from newsloom.schema import EntityType
from newsloom.settings import Settings
from search.api.lookups import (
    EntityCount,
    Story,
    entities_with_prefix,
    get_article,
    latest_stories,
    related_articles,
    story_articles,
)
from search.client import create_client
from search.request import MAX_PAGE_SIZE, SearchRequest
from search.results import CursorError, SearchHit, SearchPage, run_search
from search.text_query import MAX_QUERY_LENGTH

__all__ = ["create_app"]

_ID = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Article id (32 hex).")]
_LIST = Annotated[list[str], Query(max_length=50)]
# Open even with a key: load balancers probe /health, Prometheus scrapes /metrics without
# credentials, and neither says anything about articles (only statuses and request counts).
_OPEN_PATHS = {"/health", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect"}


def _metrics() -> tuple[CollectorRegistry, Counter, Histogram]:
    registry = CollectorRegistry()
    requests = Counter(
        "newsloom_api_requests", "API requests by route and status", ["route", "status"],
        registry=registry,
    )  # fmt: skip
    latency = Histogram(
        "newsloom_api_request_seconds", "API request latency by route and status",
        ["route", "status"],
        registry=registry,
    )  # fmt: skip
    return registry, requests, latency


def _install_middleware(app: FastAPI, settings: Settings) -> CollectorRegistry:
    registry, requests, latency = _metrics()

    @app.middleware("http")
    async def guard_and_count(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        given = request.headers.get("x-api-key", "")
        if (
            settings.api_key
            and request.url.path not in _OPEN_PATHS
            and request.method != "OPTIONS"
            and not secrets.compare_digest(given.encode(), settings.api_key.encode())
        ):
            response: Response = JSONResponse(
                {"detail": "missing or wrong API key: send it in the X-API-Key header"},
                status_code=401,
            )
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        status = str(response.status_code)
        requests.labels(name, status).inc()
        latency.labels(name, status).observe(time.perf_counter() - started)
        return response

    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET"],
            allow_headers=["X-API-Key"],
        )
    return registry


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TransportError)
    async def unavailable(request: Request, error: TransportError) -> JSONResponse:
        return JSONResponse(
            {"detail": "Elasticsearch is unreachable; try again shortly"}, status_code=503
        )

    @app.exception_handler(ApiError)
    async def refused(request: Request, error: ApiError) -> JSONResponse:
        if error.error == "index_not_found_exception":
            # A deployment whose index was never created: the operator, not the caller, acts.
            return JSONResponse(
                {"detail": "no article index yet; run `newsloom index init`, then index"},
                status_code=503,
            )
        status = 503 if error.meta.status >= 500 or error.meta.status == 429 else 400
        return JSONResponse({"detail": f"search refused: {error.message}"}, status_code=status)


def create_app(settings: Settings, es: Elasticsearch | None = None) -> FastAPI:
    """The API for the articles behind ``settings.index_alias``."""
    es = es or create_client(settings)
    alias = settings.index_alias
    app = FastAPI(
        title="newsloom search API",
        version="1",
        description="Search East Asian security news: free text, filters, facets, stories.",
    )
    registry = _install_middleware(app, settings)
    _install_error_handlers(app)

    @app.get("/search", response_model=SearchPage)
    def search(
        q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="Free text.")] = "",
        source: _LIST = [],  # noqa: B006 - FastAPI copies query defaults per request
        country: _LIST = [],  # noqa: B006
        language: _LIST = [],  # noqa: B006
        topic: _LIST = [],  # noqa: B006
        entity: _LIST = [],  # noqa: B006
        entity_type: Annotated[list[EntityType], Query(max_length=4)] = [],  # noqa: B006
        story: _LIST = [],  # noqa: B006
        published_from: datetime | None = None,
        published_to: datetime | None = None,
        sort: Literal["relevance", "date"] = "relevance",
        size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
        cursor: Annotated[str | None, Query(max_length=8192)] = None,
    ) -> SearchPage:
        """Ranked, highlighted articles with facet counts; follow ``next_cursor`` for more."""
        try:
            if cursor:
                return run_search(es, alias, cursor=cursor)
            request = SearchRequest(
                text=q, source=source, country=country, language=language, topic=topic,
                entity=entity, entity_type=entity_type, story=story,
                published_from=published_from, published_to=published_to, sort=sort, size=size,
            )  # fmt: skip
        except (CursorError, ValidationError) as error:
            raise HTTPException(400, _message(error)) from error
        return run_search(es, alias, request)

    @app.get("/articles/{article_id}")
    def article(article_id: _ID) -> dict[str, Any]:
        """One article as stored, enrichment included (without the embedding)."""
        found = _found(get_article(es, alias, article_id), article_id)
        source: dict[str, Any] = found["_source"]
        source.get("enrichment", {}).pop("embedding", None)
        return source

    @app.get("/articles/{article_id}/related", response_model=list[SearchHit])
    def related(article_id: _ID, size: Annotated[int, Query(ge=1, le=50)] = 10) -> list[SearchHit]:
        """Articles on the same subject: by meaning (embeddings) and by wording."""
        return related_articles(
            es, alias, _found(get_article(es, alias, article_id), article_id), size
        )

    @app.get("/stories", response_model=list[Story])
    def stories(size: Annotated[int, Query(ge=1, le=100)] = 20) -> list[Story]:
        """The latest stories (clusters of articles on one event)."""
        return latest_stories(es, alias, size)

    @app.get("/stories/{story_id}", response_model=list[SearchHit])
    def story(
        story_id: Annotated[str, Path(max_length=200)],
        size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    ) -> list[SearchHit]:
        """A story's articles over time, oldest first."""
        articles = story_articles(es, alias, story_id, size)
        if not articles:
            raise HTTPException(404, f"no story {story_id!r}; list stories with GET /stories")
        return articles

    @app.get("/entities", response_model=list[EntityCount])
    def entities(
        prefix: Annotated[str, Query(min_length=1, max_length=100)],
        size: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> list[EntityCount]:
        """Autocomplete for entity filters: canonical names starting with ``prefix``."""
        return entities_with_prefix(es, alias, prefix, size)

    @app.get("/health")
    def health() -> JSONResponse:
        """200 when Elasticsearch answers and the alias exists, else 503 with the reason."""
        try:
            status = es.cluster.health()["status"]
            ready = bool(es.indices.exists_alias(name=alias))
        except TransportError:
            return JSONResponse({"status": "unreachable"}, status_code=503)
        body = {"status": status, "alias": alias, "alias_exists": ready}
        return JSONResponse(body, status_code=200 if ready and status != "red" else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _found(article: dict[str, Any] | None, article_id: str) -> dict[str, Any]:
    if article is None:
        raise HTTPException(404, f"no article {article_id}; it may not be indexed yet")
    return article


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return str(error)
