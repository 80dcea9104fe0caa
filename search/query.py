"""The article search the CLI and the API share: safe free text, ranked, highlighted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch
from pydantic import BaseModel

__all__ = ["MAX_QUERY_LENGTH", "SearchHit", "build_query", "search_articles"]

MAX_QUERY_LENGTH = 500
_FIELDS = ["title^3", "lead^2", "body"]
_EXACT_FIELDS = ["title.exact^3", "lead.exact^2", "body.exact"]


class SearchHit(BaseModel):
    """One ranked result."""

    id: str
    score: float
    title: str
    source_name: str
    url: str
    published_at: datetime | None
    snippet: str


def build_query(text: str) -> dict[str, Any]:
    """A ``simple_query_string`` query: analysts get quotes, +/-, OR, and never a syntax error.

    Quoted phrases also match on unstemmed fields, so an exact wording ranks first.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise ValueError(f"query is {len(text)} characters; the limit is {MAX_QUERY_LENGTH}")
    common = {"query": text, "default_operator": "and"}
    return {
        "bool": {
            "should": [
                {"simple_query_string": {**common, "fields": _FIELDS}},
                {
                    "simple_query_string": {
                        **common,
                        "fields": _EXACT_FIELDS,
                        "quote_field_suffix": "",
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def _snippet(hit: dict[str, Any]) -> str:
    highlight = hit.get("highlight", {})
    for field in ("body", "lead", "title"):
        if highlight.get(field):
            return " … ".join(highlight[field])
    body: str = hit["_source"].get("body", "")
    return body[:200]


def search_articles(es: Elasticsearch, alias: str, text: str, size: int = 10) -> list[SearchHit]:
    """Run ``text`` against ``alias`` and return up to ``size`` ranked, highlighted hits."""
    response = es.search(
        index=alias,
        query=build_query(text),
        size=size,
        source_excludes=["enrichment"],
        highlight={
            "fields": {"body": {}, "lead": {}, "title": {"number_of_fragments": 0}},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fragment_size": 160,
            "number_of_fragments": 2,
        },
    )
    hits = []
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        hits.append(
            SearchHit(
                id=hit["_id"],
                score=hit["_score"] or 0.0,
                title=source["title"],
                source_name=source["source_name"],
                url=source["url"],
                published_at=source.get("published_at"),
                snippet=_snippet(hit),
            )
        )
    return hits
