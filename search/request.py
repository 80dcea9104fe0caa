"""What an analyst asks for: free text, filters, sort, page size, and how it becomes a query.

The API and the CLI both build a :class:`SearchRequest` and hand it to
:func:`search.results.run_search`, so both apply the same limits and the same ranking.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from search.text_query import MAX_QUERY_LENGTH, build_query

__all__ = ["FACETS", "MAX_PAGE_SIZE", "SearchRequest", "search_body"]

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


class SearchRequest(BaseModel):
    """One search; every list filter matches any of its values, filters combine with AND."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(default="", max_length=MAX_QUERY_LENGTH)
    source: list[str] = Field(default_factory=list, max_length=50)
    country: list[str] = Field(default_factory=list, max_length=50)
    language: list[str] = Field(default_factory=list, max_length=50)
    topic: list[str] = Field(default_factory=list, max_length=50)
    entity: list[str] = Field(default_factory=list, max_length=50)
    story: list[str] = Field(default_factory=list, max_length=50)
    published_from: datetime | None = None
    published_to: datetime | None = None
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
    if request.entity:
        clauses.append(
            {
                "nested": {
                    "path": _ENTITY_PATH,
                    "query": {"terms": {"enrichment.entities.name": request.entity}},
                }
            }
        )
    if request.published_from or request.published_to:
        window = {
            bound: moment.isoformat()
            for bound, moment in (("gte", request.published_from), ("lte", request.published_to))
            if moment
        }
        clauses.append({"range": {"published_at": window}})
    return clauses


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


def search_body(request: SearchRequest) -> dict[str, Any]:
    """The search body (query, facets, sort, highlight) for one page of ``request``."""
    text = request.text.strip()
    must = [build_query(text)] if text else [{"match_all": {}}]
    return {
        "query": {"bool": {"must": must, "filter": _filters(request)}},
        "aggs": _aggregations(),
        "sort": _sort(request),
        "size": request.size,
        "track_total_hits": True,
        "_source": {"excludes": ["enrichment.embedding", "body"]},
        "highlight": {
            "fields": {"body": {}, "lead": {}, "title": {"number_of_fragments": 0}},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fragment_size": 160,
            "number_of_fragments": 2,
        },
    }
