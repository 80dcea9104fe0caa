"""What an analyst asks for: free text, filters, sort, page size, and how it becomes a query.

The API and the CLI both build a :class:`SearchRequest` and hand it to
:func:`search.results.run_search`, so both apply the same limits and the same ranking.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from newsloom.schema import EntityType
from search.text_query import MAX_QUERY_LENGTH, build_query

__all__ = [
    "FACETS", "HIGHLIGHTED", "MAX_PAGE_SIZE", "SearchRequest", "facets_body", "search_body",
]  # fmt: skip

MAX_PAGE_SIZE = 100
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


class SearchRequest(BaseModel):
    """One search; every list filter matches any of its values, filters combine with AND."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(default="", max_length=MAX_QUERY_LENGTH)
    source: list[str] = Field(default_factory=list, max_length=50)
    country: list[str] = Field(default_factory=list, max_length=50)
    language: list[str] = Field(default_factory=list, max_length=50)
    topic: list[str] = Field(default_factory=list, max_length=50)
    entity: list[str] = Field(default_factory=list, max_length=50)
    entity_type: list[EntityType] = Field(default_factory=list, max_length=4)
    story: list[str] = Field(default_factory=list, max_length=50)
    published_from: datetime | None = None
    published_to: datetime | None = None
    sort: Literal["relevance", "date"] = "relevance"
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("published_from", "published_to")
    @classmethod
    def _utc_when_naive(cls, moment: datetime | None) -> datetime | None:
        # A date without an offset means UTC, as it does to Elasticsearch; making it aware
        # also lets a naive bound be compared with an aware one.
        return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment

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


def search_body(request: SearchRequest) -> dict[str, Any]:
    """The body for one page of hits of ``request``: query, sort, highlight; no counting.

    Without an exact total to count, Elasticsearch can skip documents that cannot reach the
    top of the page; :func:`facets_body` counts them, in a request it can cache.
    """
    return {
        "query": _query(request),
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


def facets_body(request: SearchRequest) -> dict[str, Any]:
    """The body that counts ``request``'s matches and their facets, and returns no hits.

    With no hits it is eligible for the shard request cache, so the same question asked again
    (a saved search, a dashboard, the next analyst) is answered from memory until the index
    changes.
    """
    return {
        "query": _query(request),
        "aggs": _aggregations(),
        "size": 0,
        "track_total_hits": True,
    }
