"""Per-source health and Elasticsearch write rejections, read from Elasticsearch at scrape time.

The index is the one place that knows what every crawl, on every host, actually delivered:
the newest article per source, how many arrived in the last day, and how many carry a date,
authors and a body. A "silent source" alert compares the newest article with the time now.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import ConnectionError as ElasticsearchConnectionError
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["SourceHealthCollector"]

MAX_SOURCES = 1000
# Fields analysts filter on; their share per source shows a broken extractor.
FIELDS = ("published_at", "authors", "body")


def _source_query() -> dict[str, Any]:
    fields = {field: {"filter": {"exists": {"field": field}}} for field in FIELDS}
    return {
        "by_source": {
            "terms": {"field": "source_id", "size": MAX_SOURCES},
            "aggs": {
                "newest": {"max": {"field": "fetched_at"}},
                "last_day": {"filter": {"range": {"fetched_at": {"gte": "now-1d"}}}},
                **fields,
            },
        }
    }


class SourceHealthCollector(Collector):
    """Per-source freshness, volume and field coverage, plus bulk write rejections."""

    def __init__(self, es: Elasticsearch, alias: str) -> None:
        self.es = es
        self.alias = alias

    def collect(self) -> Iterator[Metric]:
        """One aggregation over the alias and one node-stats call per scrape."""
        up = GaugeMetricFamily(
            "newsloom_elasticsearch_up", "Whether the exporter could query Elasticsearch."
        )
        try:
            response = self.es.search(
                index=self.alias, size=0, aggs=_source_query(), ignore_unavailable=True
            )
            nodes = self.es.nodes.stats(metric="thread_pool")
        except (ApiError, ElasticsearchConnectionError):
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from self._source_metrics(response.body.get("aggregations", {}))
        rejected = CounterMetricFamily(
            "newsloom_elasticsearch_write_rejections",
            "Writes Elasticsearch refused because its write queue was full (all nodes).",
        )
        rejected.add_metric(
            [],
            float(
                sum(
                    node["thread_pool"].get("write", {}).get("rejected", 0)
                    for node in nodes.body["nodes"].values()
                )
            ),
        )
        yield rejected

    @staticmethod
    def _source_metrics(aggregations: dict[str, Any]) -> Iterator[Metric]:
        newest = GaugeMetricFamily(
            "newsloom_source_last_article_timestamp_seconds",
            "Fetch time of the newest indexed article of the source.",
            labels=["source"],
        )
        last_day = GaugeMetricFamily(
            "newsloom_source_articles_last_day", "Articles fetched in the last 24 hours.",
            labels=["source"],
        )  # fmt: skip
        articles = GaugeMetricFamily(
            "newsloom_source_articles", "Indexed articles of the source.", labels=["source"]
        )
        share = GaugeMetricFamily(
            "newsloom_source_field_share",
            "Share of the source's articles that have the field (0-1).",
            labels=["source", "field"],
        )
        for bucket in aggregations.get("by_source", {}).get("buckets", []):
            source, total = str(bucket["key"]), int(bucket["doc_count"])
            articles.add_metric([source], total)
            if bucket["newest"]["value"] is not None:
                newest.add_metric([source], bucket["newest"]["value"] / 1000)
            last_day.add_metric([source], bucket["last_day"]["doc_count"])
            for field in FIELDS:
                share.add_metric([source, field], bucket[field]["doc_count"] / max(total, 1))
        yield from (articles, newest, last_day, share)
