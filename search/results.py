"""Run a :class:`SearchRequest` and page through its results with a cursor.

Pages after the first continue a point in time (a frozen view of the index) with
``search_after``, so paging is stable while articles are being indexed and costs the same on
page 100 as on page 1. The cursor (:mod:`search.cursors`) is opaque to clients and signed: it
carries the request itself, the point in time, the sort values of the last hit and the total.
The point in time lives a minute past each page and is closed when the listing ends.

Hits and counts are two searches sent in one ``_msearch``: the hits skip what cannot reach the
page (no exact total), and the count with its facets, which returns no hits, is served from
the shard request cache when the same question was asked since the index last changed.

Every search stops after ``timeout_s`` on the Elasticsearch side and is never retried when it
times out: a search that was too costly once would only be as costly again.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from elastic_transport import ApiResponseMeta
from elasticsearch import ApiError, ConnectionTimeout, Elasticsearch, NotFoundError, TransportError
from elasticsearch.exceptions import HTTP_EXCEPTIONS
from pydantic import BaseModel, Field

from search.cursors import CursorError, CursorSigner, CursorState
from search.dates import UtcDatetime
from search.request import HIGHLIGHTED, SearchRequest, facets_body, search_body

__all__ = [
    "CursorError",
    "FacetCount",
    "SearchHit",
    "SearchPage",
    "bounded_client",
    "hit_from_document",
    "next_page",
    "run_search",
]

# Long enough to read a page and ask for the next; each page renews it.
_KEEP_ALIVE = "1m"
# The server-side timeout is checked between documents, so a timed-out search still takes a
# little longer to answer; the client waits that much more before giving up on it.
_ANSWER_GRACE_S = 5.0


class SearchHit(BaseModel):
    """One ranked result."""

    id: str
    score: float
    title: str
    source_name: str
    url: str
    published_at: UtcDatetime | None
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
    timed_out: bool = Field(
        default=False,
        description="Elasticsearch stopped at the search timeout: hits and counts are partial.",
    )


def bounded_client(es: Elasticsearch, timeout_s: float) -> Elasticsearch:
    """``es`` for searches: waits for the server-side timeout, never retries a timed-out one."""
    return es.options(retry_on_timeout=False, request_timeout=timeout_s + _ANSWER_GRACE_S)


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
    request: SearchRequest,
    *,
    timeout_s: float,
    cursors: CursorSigner | None = None,
) -> SearchPage:
    """The first page of ``request`` with facets; a cursor to the next when ``cursors`` is set.

    Without ``cursors`` (one page is all the caller wants) no point in time is opened.
    """
    es = bounded_client(es, timeout_s)
    # The point in time first: articles indexed before the count then only make the count
    # larger than what the pages hold, which costs one empty page, never a lost one.
    view: str | None = None
    if cursors is not None:
        view = es.open_point_in_time(index=alias, keep_alive=_KEEP_ALIVE)["id"]
    try:
        counted, response = _count_and_first_page(es, alias, request, view, timeout_s)
    except (ApiError, ConnectionTimeout):
        if view is not None:
            # Best effort: the caller needs the original error, not one from the clean-up.
            with suppress(ApiError, TransportError):
                es.close_point_in_time(id=view)
        raise
    total = int(counted["hits"]["total"]["value"])
    facets = _facets(counted.get("aggregations", {}))
    took_ms = int(counted["took"]) + int(response["took"])
    timed_out = bool(counted.get("timed_out") or response.get("timed_out"))
    if cursors is None or view is None:
        hits = [hit_from_document(hit) for hit in response["hits"]["hits"]]
        return SearchPage(
            total=total, hits=hits, facets=facets, next_cursor=None, took_ms=took_ms,
            timed_out=timed_out,
        )  # fmt: skip
    state = CursorState(request=request, pit=view, after=[], seen=0, total=total)
    return _paged(es, cursors, state, response, facets, took_ms)


def next_page(
    es: Elasticsearch, cursor: str, *, cursors: CursorSigner, timeout_s: float
) -> SearchPage:
    """The page after ``cursor``, without facets; :class:`CursorError` for a bad cursor."""
    state = cursors.decode(cursor)
    es = bounded_client(es, timeout_s)
    try:
        response = es.search(
            pit={"id": state.pit, "keep_alive": _KEEP_ALIVE},
            search_after=state.after or None,
            **search_body(state.request, timeout_s),
        )
    except NotFoundError as error:
        raise CursorError("the cursor has expired; start the search again") from error
    return _paged(es, cursors, state, response, {}, int(response["took"]))


def _count_and_first_page(
    es: Elasticsearch, alias: str, request: SearchRequest, pit: str | None, timeout_s: float
) -> tuple[Any, Any]:
    """The count with facets and the first page of hits, in one round trip.

    Elasticsearch runs the searches of one ``_msearch`` side by side, so the page costs the
    slower of the two rather than their sum. The count, which returns no hits, is served from
    the shard request cache when the same question was asked since the index last changed.
    """
    hits_header: dict[str, Any] = {} if pit else {"index": alias}
    hits_body = search_body(request, timeout_s)
    if pit:
        hits_body["pit"] = {"id": pit, "keep_alive": _KEEP_ALIVE}
    count_header = {"index": alias, "request_cache": True}
    answer = es.msearch(
        searches=[count_header, facets_body(request, timeout_s), hits_header, hits_body]
    )
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


def _paged(
    es: Elasticsearch,
    cursors: CursorSigner,
    state: CursorState,
    response: Any,
    facets: dict[str, list[FacetCount]],
    took_ms: int,
) -> SearchPage:
    raw_hits = response["hits"]["hits"]
    seen = state.seen + len(raw_hits)
    pit = response.get("pit_id", state.pit)
    next_cursor = None
    if len(raw_hits) == state.request.size and seen < state.total:
        following = state.model_copy(
            update={"pit": pit, "after": raw_hits[-1]["sort"], "seen": seen}
        )
        next_cursor = cursors.encode(following)
    else:
        # The listing ends here: free the point in time now rather than when it expires.
        es.close_point_in_time(id=pit)
    return SearchPage(
        total=state.total,
        hits=[hit_from_document(hit) for hit in raw_hits],
        facets=facets,
        next_cursor=next_cursor,
        took_ms=took_ms,
        timed_out=bool(response.get("timed_out")),
    )
