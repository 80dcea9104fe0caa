"""Run a :class:`SearchRequest` and page through its results with a cursor.

Pages after the first continue a point in time (a frozen view of the index) with
``search_after``, so paging is stable while articles are being indexed and costs the same on
page 100 as on page 1. The cursor is opaque to clients: it carries the request itself, the
point in time, the sort values of the last hit and the total.

Hits and counts are two searches sent in one ``_msearch``: the hits skip what cannot reach the
page (no exact total), and the count with its facets, which returns no hits, is served from
the shard request cache when the same question was asked since the index last changed.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from elastic_transport import ApiResponseMeta
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.exceptions import HTTP_EXCEPTIONS
from pydantic import BaseModel, Field, ValidationError

from newsloom.errors import InvalidInputError
from search.request import HIGHLIGHTED, SearchRequest, facets_body, search_body

__all__ = [
    "CursorError",
    "FacetCount",
    "SearchHit",
    "SearchPage",
    "hit_from_document",
    "run_search",
]

_KEEP_ALIVE = "2m"


class CursorError(InvalidInputError):
    """A cursor that is malformed or whose point in time has expired."""


class SearchHit(BaseModel):
    """One ranked result."""

    id: str
    score: float
    title: str
    source_name: str
    url: str
    published_at: datetime | None
    snippet: str
    language: str | None = None
    countries: list[str] = []
    story_id: str | None = None
    duplicate_group: str | None = None


class FacetCount(BaseModel):
    """One value of a facet and how many matching articles have it."""

    value: str
    count: int


class SearchPage(BaseModel):
    """One page of results; ``next_cursor`` is None on the last page."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetCount]]
    next_cursor: str | None
    took_ms: int = Field(default=0, description="Time Elasticsearch spent on this page.")


def _encode(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _decode(cursor: str) -> tuple[SearchRequest, str, list[Any], int, int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return (
            SearchRequest.model_validate(payload["request"]),
            str(payload["pit"]),
            list(payload["after"]),
            int(payload["seen"]),
            int(payload["total"]),
        )
    except (binascii.Error, ValueError, KeyError, TypeError, ValidationError) as error:
        raise CursorError(
            "the cursor is not one this API returned; start again without a cursor"
        ) from error


def _snippet(hit: dict[str, Any]) -> str:
    highlight = hit.get("highlight", {})
    for field in HIGHLIGHTED:
        if highlight.get(field):
            return " … ".join(highlight[field])
    source = hit["_source"]
    return str(source.get("lead") or source.get("enrichment", {}).get("summary") or "")[:200]


def hit_from_document(hit: dict[str, Any]) -> SearchHit:
    """A search response hit as a :class:`SearchHit`."""
    source = hit["_source"]
    enrichment = source.get("enrichment", {})
    return SearchHit(
        id=hit["_id"],
        score=hit.get("_score") or 0.0,
        title=source["title"],
        source_name=source["source_name"],
        url=source["url"],
        published_at=source.get("published_at"),
        snippet=_snippet(hit),
        language=source.get("language"),
        countries=enrichment.get("countries", []),
        story_id=enrichment.get("story_id"),
        duplicate_group=enrichment.get("duplicate_group"),
    )


def _facets(aggregations: dict[str, Any]) -> dict[str, list[FacetCount]]:
    facets = {}
    for name, result in aggregations.items():
        buckets = result["names"]["buckets"] if "names" in result else result["buckets"]
        facets[name] = [FacetCount(value=str(b["key"]), count=b["doc_count"]) for b in buckets]
    return facets


def run_search(
    es: Elasticsearch,
    alias: str,
    request: SearchRequest | None = None,
    cursor: str | None = None,
    *,
    paginate: bool = True,
) -> SearchPage:
    """The first page of ``request``, or the page after ``cursor``; facets on the first only.

    With ``paginate=False`` no point in time is opened and no cursor is returned.
    """
    if cursor:
        request, pit, after, seen, total = _decode(cursor)
        response = _hits_after(es, request, pit, after)
        return _paged(es, request, response, pit, seen, total, {}, int(response["took"]))
    if request is None:
        raise ValueError("pass a request or a cursor")
    # The point in time first: articles indexed before the count then only make the count
    # larger than what the pages hold, which costs one empty page, never a lost one. With
    # ``paginate=False`` (one page is all the caller wants) there is no cursor to keep.
    view: str | None = None
    if paginate:
        view = es.open_point_in_time(index=alias, keep_alive=_KEEP_ALIVE)["id"]
    try:
        counted, response = _count_and_first_page(es, alias, request, view)
    except ApiError:
        if view is not None:
            es.close_point_in_time(id=view)
        raise
    total = int(counted["hits"]["total"]["value"])
    facets = _facets(counted.get("aggregations", {}))
    took_ms = int(counted["took"]) + int(response["took"])
    if view is None:
        hits = [hit_from_document(hit) for hit in response["hits"]["hits"]]
        return SearchPage(total=total, hits=hits, facets=facets, next_cursor=None, took_ms=took_ms)
    return _paged(es, request, response, view, 0, total, facets, took_ms)


def _count_and_first_page(
    es: Elasticsearch, alias: str, request: SearchRequest, pit: str | None
) -> tuple[Any, Any]:
    """The count with facets and the first page of hits, in one round trip.

    Elasticsearch runs the searches of one ``_msearch`` side by side, so the page costs the
    slower of the two rather than their sum. The count, which returns no hits, is served from
    the shard request cache when the same question was asked since the index last changed.
    """
    hits_header: dict[str, Any] = {} if pit else {"index": alias}
    hits_body = search_body(request)
    if pit:
        hits_body["pit"] = {"id": pit, "keep_alive": _KEEP_ALIVE}
    count_header = {"index": alias, "request_cache": True}
    answer = es.msearch(searches=[count_header, facets_body(request), hits_header, hits_body])
    counted, page = answer["responses"]
    return _checked(answer.meta, counted), _checked(answer.meta, page)


def _checked(meta: ApiResponseMeta, item: dict[str, Any]) -> dict[str, Any]:
    """One ``_msearch`` answer, or the error the same search alone would have raised."""
    if "error" not in item:
        return item
    status = int(item.get("status", 500))
    error_class = HTTP_EXCEPTIONS.get(status, ApiError)
    item_meta = ApiResponseMeta(status, meta.http_version, meta.headers, meta.duration, meta.node)
    # As the client does for a lone search: the message is the error's type.
    error = item["error"]
    kind = str(error.get("type", error)) if isinstance(error, dict) else str(error)
    raise error_class(message=kind, meta=item_meta, body=item)


def _hits_after(es: Elasticsearch, request: SearchRequest, pit: str, after: list[Any]) -> Any:
    try:
        return es.search(
            pit={"id": pit, "keep_alive": _KEEP_ALIVE},
            search_after=after or None,
            **search_body(request),
        )
    except NotFoundError as error:
        raise CursorError("the cursor has expired; start the search again") from error


def _paged(
    es: Elasticsearch,
    request: SearchRequest,
    response: Any,
    pit: str,
    seen: int,
    total: int,
    facets: dict[str, list[FacetCount]],
    took_ms: int,
) -> SearchPage:
    raw_hits = response["hits"]["hits"]
    seen += len(raw_hits)
    pit = response.get("pit_id", pit)
    next_cursor = None
    if len(raw_hits) == request.size and seen < total:
        next_cursor = _encode(
            {
                "request": request.model_dump(mode="json"),
                "pit": pit,
                "after": raw_hits[-1]["sort"],
                "seen": seen,
                "total": total,
            }
        )
    else:
        es.close_point_in_time(id=pit)
    return SearchPage(
        total=total,
        hits=[hit_from_document(hit) for hit in raw_hits],
        facets=facets,
        next_cursor=next_cursor,
        took_ms=took_ms,
    )
