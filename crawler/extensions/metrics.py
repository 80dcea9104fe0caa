"""Prometheus metrics for one crawl: served while it runs, pushed to a Pushgateway at its end.

A crawl is a short-lived process, so Prometheus may never scrape it: the final values are
pushed when ``NEWSLOOM_PUSHGATEWAY_URL`` is set, and ``NEWSLOOM_CRAWLER_METRICS_LINGER_S``
keeps the endpoint up after the crawl for one last scrape. Enabled by
``NEWSLOOM_CRAWLER_METRICS_PORT`` and/or the Pushgateway URL; off otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any, Self
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    push_to_gateway,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import defer
from twisted.internet.task import deferLater

from crawler.frontier.scheduler import FRONTIER_SIZE_KEY
from crawler.settings import newsloom_settings
from newsloom.schema import Article
from newsloom.settings import Settings

__all__ = ["FRONTIER_SIZE_KEY", "CrawlMetrics", "StatsMetricsCollector"]

logger = logging.getLogger(__name__)

# Requests with no source (robots.txt) are still counted, under this label.
NO_SOURCE = "-"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
DROPPED_PREFIX = "newsloom/dropped/"
# crawler.middlewares.ssrf counts a blocked request as a drop with this reason prefix.
SSRF_REASON_PREFIX = "ssrf_"


def _source_of(request: Request) -> str:
    source = request.cb_kwargs.get("source")
    return str(getattr(source, "id", NO_SOURCE))


class StatsMetricsCollector(Collector):
    """Reads Scrapy's stats at scrape time, so whatever any component counts is exported."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    def collect(self) -> Iterator[Metric]:
        """Drops by reason, SSRF blocks, robots.txt refusals, download errors, frontier size."""
        values = self.stats.get_stats()
        dropped = CounterMetricFamily(
            "newsloom_crawl_dropped", "Pages or items dropped, by reason.", labels=["reason"]
        )
        ssrf = CounterMetricFamily(
            "newsloom_crawl_ssrf_blocked",
            "Requests refused because they pointed inside the network, by reason.",
            labels=["reason"],
        )
        errors = CounterMetricFamily(
            "newsloom_crawl_download_errors", "Failed downloads, by exception.", labels=["type"]
        )
        for key, value in values.items():
            if key.startswith(DROPPED_PREFIX):
                # Keys are newsloom/dropped/<reason>[/<source>]: the reason is what alerts need.
                reason = key[len(DROPPED_PREFIX) :].split("/")[0]
                dropped.add_metric([reason], float(value))
                if reason.startswith(SSRF_REASON_PREFIX):
                    ssrf.add_metric([reason.removeprefix(SSRF_REASON_PREFIX)], float(value))
            elif key.startswith("downloader/exception_type_count/"):
                errors.add_metric([key.rsplit("/", 1)[1]], float(value))
        robots = CounterMetricFamily(
            "newsloom_crawl_robots_denied", "Requests refused by robots.txt."
        )
        robots.add_metric([], float(values.get("robotstxt/forbidden", 0)))
        unreachable = CounterMetricFamily(
            "newsloom_crawl_robots_unreachable",
            "Hosts whose robots.txt could not be read, so nothing of theirs was crawled.",
        )
        unreachable.add_metric([], float(values.get("newsloom/robots/unreachable_disallow", 0)))
        yield from (dropped, ssrf, errors, robots, unreachable, self._frontier(values))

    @staticmethod
    def _frontier(values: dict[str, Any]) -> GaugeMetricFamily:
        frontier = GaugeMetricFamily(
            "newsloom_crawl_frontier_size", "Requests scheduled but not yet downloaded."
        )
        if FRONTIER_SIZE_KEY in values:
            frontier.add_metric([], float(values[FRONTIER_SIZE_KEY]))
        else:
            enqueued = float(values.get("scheduler/enqueued", 0))
            frontier.add_metric([], enqueued - float(values.get("scheduler/dequeued", 0)))
        return frontier


class CrawlMetrics:
    """Counts requests, bytes, latency and items per source from Scrapy signals."""

    def __init__(self, settings: Settings, crawler: Crawler) -> None:
        self.settings = settings
        self.crawler = crawler
        self.registry = CollectorRegistry()
        self._server: WSGIServer | None = None
        self.responses = Counter(
            "newsloom_crawl_responses", "Responses by source and HTTP status.",
            ["source", "status"], registry=self.registry,
        )  # fmt: skip
        self.bytes = Counter(
            "newsloom_crawl_response_bytes", "Response body bytes by source.",
            ["source"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "newsloom_crawl_download_seconds", "Download latency by source.",
            ["source"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.items = Counter(
            "newsloom_crawl_items", "Articles extracted, by source.", ["source"],
            registry=self.registry,
        )  # fmt: skip
        self.items_with = Counter(
            "newsloom_crawl_items_with_field",
            "Articles extracted with a date, authors or body, by source (share = / items).",
            ["source", "field"], registry=self.registry,
        )  # fmt: skip
        self.last_success = Gauge(
            "newsloom_crawl_last_success_timestamp_seconds",
            "End of the last crawl that fetched at least one page of the source.",
            ["source"], registry=self.registry,
        )  # fmt: skip
        self.finished = Gauge(
            "newsloom_crawl_finished_timestamp_seconds", "When this crawl ended.",
            registry=self.registry,
        )  # fmt: skip
        self._fetched_sources: set[str] = set()
        if crawler.stats is not None:
            self.registry.register(StatsMetricsCollector(crawler.stats))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build from ``NEWSLOOM_SETTINGS``; off unless a metrics port or Pushgateway is set."""
        settings = newsloom_settings(crawler)
        if not settings.crawler_metrics_port and not settings.pushgateway_url:
            raise NotConfigured("no crawler metrics port and no Pushgateway configured")
        extension = cls(settings, crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        """Start serving metrics on the configured port."""
        port = self.settings.crawler_metrics_port
        if port:
            try:
                self._server, _ = start_http_server(port, self.settings.metrics_host, self.registry)
            except OSError as error:
                # Metrics must not cost a crawl; the Pushgateway (if set) still gets them.
                logger.warning(
                    "cannot serve crawl metrics on port %d (%s); set a free "
                    "NEWSLOOM_CRAWLER_METRICS_PORT (each concurrent crawl needs its own)",
                    port,
                    error,
                )
                return
            logger.info("crawl metrics on http://%s:%d/metrics", self.settings.metrics_host, port)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Count the response and its size and latency under its source."""
        source = _source_of(request)
        self.responses.labels(source, str(response.status)).inc()
        self.bytes.labels(source).inc(len(response.body))
        latency = request.meta.get("download_latency")
        if isinstance(latency, float):
            self.latency.labels(source).observe(latency)
        if 200 <= response.status < 300 and source != NO_SOURCE:
            self._fetched_sources.add(source)

    def item_scraped(self, item: Any, spider: Spider) -> None:
        """Count the article and which of the fields analysts filter on it carries."""
        if not isinstance(item, Article):
            return
        self.items.labels(item.source_id).inc()
        present = {
            "published_at": item.published_at is not None,
            "authors": bool(item.authors),
            "body": bool(item.body.strip()),
        }
        for field, has_it in present.items():
            if has_it:
                self.items_with.labels(item.source_id, field).inc()

    def spider_closed(self, spider: Spider, reason: str) -> defer.Deferred[None] | None:
        """Record the end, push to the Pushgateway, then linger (if asked) and stop serving."""
        now = time.time()
        self.finished.set(now)
        for source in self._fetched_sources:
            self.last_success.labels(source).set(now)
        self._push(spider)
        if self._server is None:
            return None
        linger = self.settings.crawler_metrics_linger_s
        if linger <= 0:
            self._stop_serving()
            return None
        # Imported here: importing it at module level would install a reactor of its own.
        from twisted.internet import reactor

        # Scrapy waits for this Deferred before it stops the reactor.
        return deferLater(reactor, linger, self._stop_serving)

    def _push(self, spider: Spider) -> None:
        url = self.settings.pushgateway_url
        if not url:
            return
        sources = getattr(spider, "sources", [])
        # One group per set of sources: a crawl replaces the previous crawl of the same sources
        # (not of others), and groups don't pile up as hosts and containers come and go.
        group = ",".join(sorted(str(source.id) for source in sources)) or spider.name
        try:
            push_to_gateway(
                url, job="newsloom_crawl", registry=self.registry,
                grouping_key={"sources": group},
            )  # fmt: skip
        except OSError as error:
            # A crawl's articles are already queued; losing its metrics must not fail it.
            logger.warning(
                "could not push crawl metrics to %s (%s); check NEWSLOOM_PUSHGATEWAY_URL",
                url,
                error,
            )

    def _stop_serving(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
