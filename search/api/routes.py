"""The API's routes, one router per resource; a route's operationId is its function's name."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from elasticsearch import TransportError
from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from newsloom.schema import EntityType
from search.api.dependencies import Context, require_api_key
from search.api.errors import error_response, responses, validation_message
from search.api.lookups import (
    ArticleView,
    EntityCount,
    Story,
    entities_with_prefix,
    get_article,
    latest_stories,
    related_articles,
    story_articles,
)
from search.cursors import MAX_CURSOR_LENGTH, CursorError
from search.dates import IsoDatetime
from search.request import MAX_FILTER_VALUES, MAX_PAGE_SIZE, FilterValue, SearchRequest
from search.results import SearchHit, SearchPage, next_page, run_search
from search.text_query import MAX_QUERY_LENGTH

__all__ = ["ROUTERS", "health_router"]

_ID = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Article id (32 hex).")]
_STORY_ID = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,200}$", description="A story id, as listed.")
]
_LIST = Annotated[list[FilterValue], Query(max_length=MAX_FILTER_VALUES)]
# Statuses any route behind the key can answer; each route adds its own.
_COMMON = (401, 422, 500, 503, 504)


def _keyed_router(tag: str, *statuses: int) -> APIRouter:
    return APIRouter(
        tags=[tag],
        dependencies=[Depends(require_api_key)],
        responses=responses(*_COMMON, *statuses),
    )


search_router = _keyed_router("search", 400)
articles_router = _keyed_router("articles", 404)
stories_router = _keyed_router("stories", 404)
entities_router = _keyed_router("entities")
# Open even with a key: load balancers probe it without credentials, and it says nothing
# about articles.
health_router = APIRouter(tags=["health"], responses=responses(500, 503))


@search_router.get("/search", response_model=SearchPage)
def search_articles(
    api: Context,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH, description="Free text.")] = "",
    source: _LIST = [],  # noqa: B006 - FastAPI copies query defaults per request
    country: _LIST = [],  # noqa: B006
    language: _LIST = [],  # noqa: B006
    topic: _LIST = [],  # noqa: B006
    entity: _LIST = [],  # noqa: B006
    entity_type: Annotated[list[EntityType], Query(max_length=4)] = [],  # noqa: B006
    story: _LIST = [],  # noqa: B006
    published_from: IsoDatetime | None = None,
    published_to: IsoDatetime | None = None,
    sort: Literal["relevance", "date"] = "relevance",
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    cursor: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR_LENGTH,
            description="``next_cursor`` of the previous page; the other parameters are ignored.",
        ),
    ] = None,
) -> SearchPage:
    """Ranked, highlighted articles with facet counts; follow ``next_cursor`` for more.

    Free text takes ``"phrases"``, ``+`` (and, the default), ``|`` (or), ``-`` (not),
    ``( )`` and up to 3 ``word*`` prefixes of at least 3 characters.
    """
    try:
        if cursor:
            return next_page(api.es, cursor, cursors=api.cursors, timeout_s=api.timeout_s)
        request = SearchRequest(
            text=q, source=source, country=country, language=language, topic=topic,
            entity=entity, entity_type=entity_type, story=story,
            published_from=published_from, published_to=published_to, sort=sort, size=size,
        )  # fmt: skip
        return run_search(api.es, api.alias, request, timeout_s=api.timeout_s, cursors=api.cursors)
    except (CursorError, ValidationError) as error:
        raise HTTPException(400, _message(error)) from error


@articles_router.get("/articles/{article_id}", response_model=ArticleView)
def read_article(api: Context, article_id: _ID) -> ArticleView:
    """One article as stored, enrichment included (without the embedding)."""
    source = _found(get_article(api.es, api.alias, article_id), article_id)["_source"]
    return ArticleView.model_validate(
        {key: value for key, value in source.items() if key in ArticleView.model_fields}
    )


@articles_router.get("/articles/{article_id}/related", response_model=list[SearchHit])
def list_related_articles(
    api: Context, article_id: _ID, size: Annotated[int, Query(ge=1, le=50)] = 10
) -> list[SearchHit]:
    """Articles on the same subject: its story (in any language), then by meaning
    (embeddings) and by wording."""
    found = _found(get_article(api.es, api.alias, article_id), article_id)
    return related_articles(api.es, api.alias, found, size, timeout_s=api.timeout_s)


@stories_router.get("/stories", response_model=list[Story])
def list_stories(api: Context, size: Annotated[int, Query(ge=1, le=100)] = 20) -> list[Story]:
    """The latest stories (clusters of articles on one event)."""
    return latest_stories(api.es, api.alias, size, timeout_s=api.timeout_s)


@stories_router.get("/stories/{story_id}", response_model=list[SearchHit])
def list_story_articles(
    api: Context,
    story_id: _STORY_ID,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> list[SearchHit]:
    """A story's articles over time, oldest first."""
    articles = story_articles(api.es, api.alias, story_id, size, timeout_s=api.timeout_s)
    if not articles:
        raise HTTPException(404, f"no story {story_id!r}; list stories with GET /stories")
    return articles


@entities_router.get("/entities", response_model=list[EntityCount])
def complete_entities(
    api: Context,
    prefix: Annotated[str, Query(min_length=1, max_length=100)],
    size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[EntityCount]:
    """Autocomplete for entity filters: canonical names starting with ``prefix``."""
    return entities_with_prefix(api.es, api.alias, prefix, size, timeout_s=api.timeout_s)


class Health(BaseModel):
    """Elasticsearch's cluster status and whether the alias exists."""

    status: Literal["green", "yellow"]
    alias: str
    alias_exists: bool


@health_router.get("/health", response_model=Health)
def check_health(api: Context) -> Health | JSONResponse:
    """200 when Elasticsearch answers and the alias exists, else 503 with the reason."""
    try:
        status = api.es.cluster.health()["status"]
        ready = bool(api.es.indices.exists_alias(name=api.alias))
    except TransportError:
        return error_response(503, "Elasticsearch is unreachable; try again shortly")
    if status == "red":
        return error_response(503, "the Elasticsearch cluster is red; see its logs")
    if not ready:
        return error_response(
            503, f"no alias {api.alias!r} yet; run `newsloom index init`, then index"
        )
    return Health(status=status, alias=api.alias, alias_exists=True)


ROUTERS = (search_router, articles_router, stories_router, entities_router, health_router)


def _found(article: dict[str, Any] | None, article_id: str) -> dict[str, Any]:
    if article is None:
        raise HTTPException(404, f"no article {article_id}; it may not be indexed yet")
    return article


def _message(error: CursorError | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return validation_message(error.errors(), {"text": "q"})
    return str(error)
