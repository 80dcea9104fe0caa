"""Free text to Elasticsearch: safe syntax only, bounded length, stemmed and exact fields."""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_QUERY_LENGTH", "build_query"]

MAX_QUERY_LENGTH = 500
_FIELDS = ["title^3", "lead^2", "body"]
_EXACT_FIELDS = ["title.exact^3", "lead.exact^2", "body.exact"]


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
