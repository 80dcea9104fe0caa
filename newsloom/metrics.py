"""Indexer metrics: documents written to Elasticsearch by outcome, and write latency.

One place defines them, so the indexing task (``workers.metrics`` feeds it from Celery's
signals) and any bulk writer (``search.bulk.bulk_index`` callers such as the reindex) count
into the same series. In a prefork worker the values live in ``PROMETHEUS_MULTIPROC_DIR``
like every other worker metric, so the registry passed in only matters outside one.
"""

from __future__ import annotations

from typing import Final, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["FAILED", "INDEXED", "STALE", "WRITE_BUCKETS", "BulkOutcome", "IndexingMetrics"]

INDEXED: Final = "indexed"
# Refused because a newer copy is already indexed: expected on re-crawls, not an error.
STALE: Final = "stale"
FAILED: Final = "failed"
WRITE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class BulkOutcome(Protocol):
    """What a bulk run reports (``search.bulk.BulkReport`` has this shape)."""

    @property
    def indexed(self) -> int:
        """Items written."""

    @property
    def stale(self) -> int:
        """Items refused because a newer copy is indexed."""

    @property
    def failed(self) -> int:
        """Items refused for good."""


class IndexingMetrics:
    """``newsloom_index_documents_total{outcome}`` and ``newsloom_index_seconds{operation}``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.documents = Counter(
            "newsloom_index_documents",
            "Documents sent to Elasticsearch, by outcome (indexed, stale, failed).",
            ["outcome"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "newsloom_index_seconds",
            "Time of one write to Elasticsearch: a single document or a whole bulk run.",
            ["operation"], buckets=WRITE_BUCKETS, registry=self.registry,
        )  # fmt: skip

    def observe_document(self, outcome: str, seconds: float | None = None) -> None:
        """Count one document's ``outcome``; a write that reached Elasticsearch has a time."""
        self.documents.labels(outcome).inc()
        if seconds is not None:
            self.latency.labels("index").observe(seconds)

    def observe_bulk(self, report: BulkOutcome, seconds: float) -> None:
        """Count every item of one bulk run by outcome, and the run's duration."""
        counts = {INDEXED: report.indexed, STALE: report.stale, FAILED: report.failed}
        for outcome, count in counts.items():
            self.documents.labels(outcome).inc(count)
        self.latency.labels("bulk").observe(seconds)
