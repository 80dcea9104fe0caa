"""Run a :class:`SearchRequest` and page through its results with a cursor.

Pages after the first continue a point in time (a frozen view of the index) with
``search_after``, so paging is stable while articles are being indexed and costs the same on
page 100 as on page 1. The cursor is opaque to clients: it carries the request itself, the
point in time and the sort values of the last hit.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError
from pydantic import BaseModel, ValidationError

from search.request import SearchRequest, search_body

__all__ = [
    "CursorError",
    "FacetCount",
    "SearchHit",
    "SearchPage",
    "hit_from_document",
    "run_search",
]

_KEEP_ALIVE = "2m"


class CursorError(ValueError):
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


def _encode(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _decode(cursor: str) -> tuple[SearchRequest, str, list[Any], int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return (
            SearchRequest.model_validate(payload["request"]),
            str(payload["pit"]),
            list(payload["after"]),
            int(payload["seen"]),
        )
    except (binascii.Error, ValueError, KeyError, TypeError, ValidationError) as error:
        raise CursorError(
            "the cursor is not one this API returned; start again without a cursor"
        ) from error


def _snippet(hit: dict[str, Any]) -> str:
    highlight = hit.get("highlight", {})
    for field in ("body", "lead", "title"):
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

    With ``paginate=False`` (one page is all the caller wants) no point in time is opened and
    no cursor is returned.
    """
    if request is not None and not paginate:
        response = es.search(index=alias, **search_body(request))
        return _page(response, next_cursor=None)
    if cursor:
        request, pit, after, seen = _decode(cursor)
    elif request is None:
        raise ValueError("pass a request or a cursor")
    else:
        pit = es.open_point_in_time(index=alias, keep_alive=_KEEP_ALIVE)["id"]
        after, seen = [], 0
    body = search_body(request)
    if cursor:
        body.pop("aggs")
    try:
        response = es.search(
            pit={"id": pit, "keep_alive": _KEEP_ALIVE},
            search_after=after or None,
            **body,
        )
    except NotFoundError as error:
        raise CursorError("the cursor has expired; start the search again") from error
    raw_hits = response["hits"]["hits"]
    total = int(response["hits"]["total"]["value"])
    seen += len(raw_hits)
    pit = response.get("pit_id", pit)
    next_cursor = None
    if raw_hits and seen < total:
        next_cursor = _encode(
            {
                "request": request.model_dump(mode="json"),
                "pit": pit,
                "after": raw_hits[-1]["sort"],
                "seen": seen,
            }
        )
    else:
        es.close_point_in_time(id=pit)
    return _page(response, next_cursor)


def _page(response: Any, next_cursor: str | None) -> SearchPage:
    return SearchPage(
        total=int(response["hits"]["total"]["value"]),
        hits=[hit_from_document(hit) for hit in response["hits"]["hits"]],
        facets=_facets(response.get("aggregations", {})),
        next_cursor=next_cursor,
    )
