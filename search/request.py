"""What an analyst asks for: free text, filters, sort, page size, and how it becomes a query.

The API and the CLI both build a :class:`SearchRequest` and hand it to
:func:`search.results.run_search`, so both apply the same limits and the same ranking.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from newsloom.schema import EntityType
from search.dates import UtcDatetime
from search.text_query import MAX_QUERY_LENGTH, build_query, check_cost

__all__ = [
    "FACETS", "HIGHLIGHTED", "MAX_FILTER_VALUES", "MAX_PAGE_SIZE", "FilterValue",
    "SearchRequest", "es_timeout", "facets_body", "search_body",
]  # fmt: skip

MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 50
# Longer than any source, country, topic, entity or story name; keeps a cursor, which carries
# the filters, within the length a URL can hold.
FilterValue = Annotated[str, Field(max_length=200)]
FACET_SIZE = 20

# Facet name -> keyword field it counts.
FACETS: dict[str, str] = {
    "source": "source_name",
    "country": "enrichment.countries",
    "language": "language",
    "topic": "enrichment.topics.label",
    "story": "enrichment.story_id",
}
_ENTITY_PATH = "enrichment.entities"
# Fields whose highlighted fragments make a hit's snippet, in order of preference.
HIGHLIGHTED = ("body", "lead")


def _affordable(text: str) -> str:
    check_cost(text)
    return text


class SearchRequest(BaseModel):
    """One search; every list filter matches any of its values, filters combine with AND."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Checked here, so a costly query is refused before any search (or point in time) starts.
    text: Annotated[str, AfterValidator(_affordable)] = Field(
        default="", max_length=MAX_QUERY_LENGTH
    )
    source: list[FilterValue] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    country: list[FilterValue] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    language: list[FilterValue] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    topic: list[FilterValue] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    entity: list[FilterValue] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    entity_type: list[EntityType] = Field(default_factory=list, max_length=4)
    story: list[FilterValue] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    published_from: UtcDatetime | None = None
    published_to: UtcDatetime | None = None
    sort: Literal["relevance", "date"] = "relevance"
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)

    @model_validator(mode="after")
    def _dates_in_order(self) -> SearchRequest:
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError("published_from is after published_to; swap them")
        return self


def _filters(request: SearchRequest) -> list[dict[str, Any]]:
    values = {
        "source": request.source,
        "country": request.country,
        "language": request.language,
        "topic": request.topic,
        "story": request.story,
    }
    clauses: list[dict[str, Any]] = [
        {"terms": {FACETS[name]: chosen}} for name, chosen in values.items() if chosen
    ]
    if request.entity or request.entity_type:
        clauses.append({"nested": {"path": _ENTITY_PATH, "query": _entity_query(request)}})
    if request.published_from or request.published_to:
        window = {
            bound: moment.isoformat()
            for bound, moment in (("gte", request.published_from), ("lte", request.published_to))
            if moment
        }
        clauses.append({"range": {"published_at": window}})
    return clauses


def _entity_query(request: SearchRequest) -> dict[str, Any]:
    # One nested query, so a name and a type must hold for the same entity.
    wanted = {"name": request.entity, "type": request.entity_type}
    return {
        "bool": {
            "filter": [
                {"terms": {f"{_ENTITY_PATH}.{field}": values}}
                for field, values in wanted.items()
                if values
            ]
        }
    }


def _aggregations() -> dict[str, Any]:
    aggs: dict[str, Any] = {
        name: {"terms": {"field": field, "size": FACET_SIZE}} for name, field in FACETS.items()
    }
    aggs["entity"] = {
        "nested": {"path": _ENTITY_PATH},
        "aggs": {"names": {"terms": {"field": "enrichment.entities.name", "size": FACET_SIZE}}},
    }
    return aggs


def _sort(request: SearchRequest) -> list[dict[str, Any]]:
    by_date = {"published_at": {"order": "desc", "missing": "_last"}}
    if request.sort == "date" or not request.text.strip():
        return [by_date]
    return [{"_score": {"order": "desc"}}, by_date]


def _query(request: SearchRequest) -> dict[str, Any]:
    text = request.text.strip()
    must = [build_query(text)] if text else [{"match_all": {}}]
    return {"bool": {"must": must, "filter": _filters(request)}}


def es_timeout(timeout_s: float) -> str:
    """``timeout_s`` as Elasticsearch's search ``timeout`` (whole milliseconds, at least 1)."""
    return f"{max(1, round(timeout_s * 1000))}ms"


def search_body(request: SearchRequest, timeout_s: float) -> dict[str, Any]:
    """The body for one page of hits of ``request``: query, sort, highlight; no counting.

    Without an exact total to count, Elasticsearch can skip documents that cannot reach the
    top of the page; :func:`facets_body` counts them, in a request it can cache. Each shard
    stops after ``timeout_s`` and returns what it found (the response says ``timed_out``).
    """
    return {
        "query": _query(request),
        "timeout": es_timeout(timeout_s),
        "sort": _sort(request),
        "size": request.size,
        "track_total_hits": False,
        "_source": {"excludes": ["enrichment.embedding", "body"]},
        "highlight": {
            # The snippet comes from the body, else the lead; results show the title whole,
            # so highlighting it too would only add to every search's time.
            "fields": {field: {} for field in HIGHLIGHTED},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fragment_size": 160,
            "number_of_fragments": 2,
        },
    }


def facets_body(request: SearchRequest, timeout_s: float) -> dict[str, Any]:
    """The body that counts ``request``'s matches and their facets, and returns no hits.

    With no hits it is eligible for the shard request cache, so the same question asked again
    (a saved search, a dashboard, the next analyst) is answered from memory until the index
    changes. Bounded by ``timeout_s`` as :func:`search_body` is.
    """
    return {
        "query": _query(request),
        "timeout": es_timeout(timeout_s),
        "aggs": _aggregations(),
        "size": 0,
        "track_total_hits": True,
    }
