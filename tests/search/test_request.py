"""Search requests: validation of what analysts send, and the filters it becomes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from search.request import SearchRequest, facets_body, search_body


def test_a_date_without_offset_is_utc_and_compares_with_one_that_has_it() -> None:
    request = SearchRequest(
        published_from=datetime(2024, 1, 1), published_to=datetime(2024, 6, 1, tzinfo=UTC)
    )
    assert request.published_from == datetime(2024, 1, 1, tzinfo=UTC)
    window = search_body(request, 5)["query"]["bool"]["filter"][0]["range"]["published_at"]
    assert window == {"gte": "2024-01-01T00:00:00+00:00", "lte": "2024-06-01T00:00:00+00:00"}


def test_dates_out_of_order_are_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="swap them"):
        SearchRequest(published_from=datetime(2025, 1, 1), published_to=datetime(2024, 1, 1))


def test_entity_name_and_type_filter_one_nested_entity() -> None:
    body = search_body(SearchRequest(entity=["Kim Jong Un"], entity_type=["person"]), 5)
    (nested,) = body["query"]["bool"]["filter"]
    assert nested["nested"]["path"] == "enrichment.entities"
    assert nested["nested"]["query"]["bool"]["filter"] == [
        {"terms": {"enrichment.entities.name": ["Kim Jong Un"]}},
        {"terms": {"enrichment.entities.type": ["person"]}},
    ]


def test_unknown_entity_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="entity_type"):
        SearchRequest(entity_type=["weather"])  # type: ignore[list-item]


def test_every_search_stops_at_the_timeout() -> None:
    request = SearchRequest(text="sanctions")
    assert search_body(request, 2.5)["timeout"] == "2500ms"
    assert facets_body(request, 0.0001)["timeout"] == "1ms"


def test_a_costly_query_is_refused_before_any_search() -> None:
    with pytest.raises(ValidationError, match="at most 3"):
        SearchRequest(text="kim* moon* yoon* park*")
