"""Query building: safe syntax only, bounded length."""

from __future__ import annotations

import pytest

from search.query import MAX_QUERY_LENGTH, build_query


def test_uses_simple_query_string_only() -> None:
    query = build_query('"strategic communication" -Taiwan')
    clauses = query["bool"]["should"]
    assert all(set(clause) == {"simple_query_string"} for clause in clauses)


def test_overlong_query_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        build_query("x" * (MAX_QUERY_LENGTH + 1))
