"""Indexer metrics fed by a real bulk run: every item counted under its outcome, the run timed.

The index task's counts (through the worker's signals) are shown in test_prometheus_scrape.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from newsloom.metrics import FAILED, INDEXED, STALE, IndexingMetrics
from newsloom.schema import Article
from search.aliases import write_alias
from search.bulk import bulk_index
from search.templates import ensure_index

ALIAS = "metricsbulk"


@pytest.fixture
def alias(es: Elasticsearch) -> Iterator[str]:
    """An alias of this module's own, removed afterwards."""
    ensure_index(es, ALIAS)
    yield ALIAS
    es.indices.delete(index=f"{ALIAS}-*")


def _article(number: int, fetched_at: datetime) -> Article:
    return Article(
        url=f"https://indexing.example/{number}",
        canonical_url=f"https://indexing.example/{number}",
        source_id="indexing-test",
        source_name="Indexing test",
        title=f"Sanctions on shipping, part {number}",
        body="Japan and South Korea announced joint sanctions on Monday. " * 5,
        fetched_at=fetched_at,
    )


def _documents(metrics: IndexingMetrics, outcome: str) -> float | None:
    return metrics.registry.get_sample_value("newsloom_index_documents_total", {"outcome": outcome})


@pytest.mark.integration
def test_a_bulk_run_is_counted_by_outcome_and_timed(es: Elasticsearch, alias: str) -> None:
    now = datetime.now(UTC)
    newer = _article(1, now)
    assert bulk_index(es, write_alias(alias), [newer]).indexed == 1
    older = _article(1, now - timedelta(hours=1))  # refused: a newer copy is indexed
    broken: dict[str, Any] = _article(2, now).model_dump(mode="json") | {"published_at": "soon"}
    fresh = [_article(number, now) for number in range(3, 6)]

    metrics = IndexingMetrics()
    started = time.perf_counter()
    report = bulk_index(es, write_alias(alias), [older, broken, *fresh])
    elapsed = time.perf_counter() - started
    metrics.observe_bulk(report, elapsed)

    assert (report.indexed, report.stale, report.failed) == (3, 1, 1), "Elasticsearch disagreed"
    assert _documents(metrics, INDEXED) == 3
    assert _documents(metrics, STALE) == 1
    assert _documents(metrics, FAILED) == 1
    labels = {"operation": "bulk"}
    assert metrics.registry.get_sample_value("newsloom_index_seconds_count", labels) == 1
    assert metrics.registry.get_sample_value("newsloom_index_seconds_sum", labels) == elapsed


def test_a_single_write_is_timed_only_when_it_reached_elasticsearch() -> None:
    metrics = IndexingMetrics()
    metrics.observe_document(INDEXED, 0.02)
    metrics.observe_document(FAILED)  # never sent: nothing to time
    assert _documents(metrics, INDEXED) == 1
    assert _documents(metrics, FAILED) == 1
    labels = {"operation": "index"}
    assert metrics.registry.get_sample_value("newsloom_index_seconds_count", labels) == 1
