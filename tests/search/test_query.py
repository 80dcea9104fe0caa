"""Query building: the operators analysts need, at a bounded cost."""

from __future__ import annotations

import pytest

from search.query import MAX_QUERY_LENGTH, build_query
from search.text_query import QueryTooCostlyError, check_cost


def test_uses_simple_query_string_only() -> None:
    query = build_query('"strategic communication" -Taiwan')
    clauses = query["bool"]["should"]
    assert all(set(clause) == {"simple_query_string"} for clause in clauses)


def test_only_the_operators_users_need_are_on() -> None:
    for clause in build_query("nuclear")["bool"]["should"]:
        flags = set(clause["simple_query_string"]["flags"].split("|"))
        assert flags == {"AND", "OR", "NOT", "PHRASE", "PRECEDENCE", "PREFIX", "WHITESPACE",
                         "ESCAPE"}  # fmt: skip
        assert not flags & {"FUZZY", "NEAR", "SLOP", "ALL"}


def test_overlong_query_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        build_query("x" * (MAX_QUERY_LENGTH + 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a*", "too short"),
        ("ki*", "too short"),
        ("kim* moon* yoon* park*", "at most 3"),
        ("(kim* | moon*) -yoon* park*", "at most 3"),
    ],
)
def test_prefixes_are_few_and_long_enough(text: str, message: str) -> None:
    with pytest.raises(QueryTooCostlyError, match=message):
        check_cost(text)


@pytest.mark.parametrize(
    "text", ['"star* wars"', r"a\* b\* c\* d\*", "kim* moon* yoon*", "Pyongyang~2", "x" * 500]
)
def test_phrases_escapes_and_plain_words_are_not_counted_as_prefixes(text: str) -> None:
    check_cost(text)
