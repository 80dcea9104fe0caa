"""Free text to Elasticsearch: the operators analysts need, at a bounded cost.

``simple_query_string`` never raises a syntax error, and only these operators are on:
``"phrases"``, ``+`` / ``|`` / ``-`` (AND, OR, NOT), ``( )`` for precedence, ``\\`` to escape,
and ``word*`` prefixes. Fuzzy (``~N`` after a word), slop and near (``~N`` after a phrase)
are off: each one makes Elasticsearch expand a term into up to ``fuzzy_max_expansions``
variants per field, and a query made of them took seconds on a small index and slowed every
other search. A prefix is expanded too, so a query may hold only a few of them, each long
enough to narrow the term list it walks.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "MAX_PREFIXES",
    "MAX_QUERY_LENGTH",
    "MIN_PREFIX_LENGTH",
    "QueryTooCostlyError",
    "build_query",
    "check_cost",
]

MAX_QUERY_LENGTH = 500
MAX_PREFIXES = 3
MIN_PREFIX_LENGTH = 3
_FLAGS = "AND|OR|NOT|PHRASE|PRECEDENCE|PREFIX|WHITESPACE|ESCAPE"
_FIELDS = ["title^3", "lead^2", "body"]
_EXACT_FIELDS = ["title.exact^3", "lead.exact^2", "body.exact"]
# Inside a phrase `*` is a plain character; an escaped one is too.
_PHRASE = re.compile(r'"[^"]*"?')
_PREFIX = re.compile(r"(?<![\\\w])((?:\\.|[^\s\"+|\-()\\*])*)(?<!\\)\*")


class QueryTooCostlyError(ValueError):
    """Free text that Elasticsearch would expand into too many terms."""


def check_cost(text: str) -> None:
    """Refuse ``text`` when it is too long or holds too many, or too short, prefixes."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooCostlyError(
            f"the query is {len(text)} characters; the limit is {MAX_QUERY_LENGTH}"
        )
    prefixes = _PREFIX.findall(_PHRASE.sub(" ", text))
    if len(prefixes) > MAX_PREFIXES:
        raise QueryTooCostlyError(
            f"the query has {len(prefixes)} prefixes (word*); use at most {MAX_PREFIXES}"
        )
    for stem in prefixes:
        if len(stem.replace("\\", "")) < MIN_PREFIX_LENGTH:
            raise QueryTooCostlyError(
                f"the prefix {stem + '*'!r} is too short; give at least {MIN_PREFIX_LENGTH} "
                "characters before the *"
            )


def build_query(text: str) -> dict[str, Any]:
    """A ``simple_query_string`` query over stemmed fields, and unstemmed ones for phrases.

    Quoted phrases also match on unstemmed fields, so an exact wording ranks first.
    Raises :class:`QueryTooCostlyError` (a ``ValueError``) with what to change.
    """
    check_cost(text)
    common = {"query": text, "default_operator": "and", "flags": _FLAGS}
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
