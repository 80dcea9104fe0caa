"""A Scrapy scheduler whose queue is the Redis crawl state shared by every crawler process.

Requests are stored as JSON (URL, callback names, source id and the meta that redirect and
retry limits need) in the job's :class:`~crawler.frontier.state.CrawlState`; any process that
names the same job may take them. A URL is ``done`` once a response for it reached the
spider (or it redirected elsewhere), ``failed`` when the spider's errback saw it fail.
Enabled by ``NEWSLOOM_CRAWL_JOB`` in the Scrapy settings (``run_crawl`` always sets it).
"""

from __future__ import annotations

import logging
from typing import Any, Final, Self

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.frontier.state import CrawlState
from crawler.settings import newsloom_settings
from newsloom.schema import Article
from newsloom.state import redis_client

__all__ = ["FRONTIER_SIZE_KEY", "RedisFrontierScheduler", "request_failed"]

logger = logging.getLogger(__name__)

# The metrics extension exports this stats key as the frontier size when it is set.
FRONTIER_SIZE_KEY: Final = "newsloom/frontier/size"
# Sent by the spider's errback (request=, reason=): the URL is finished, as failed.
request_failed = object()
# Meta that must survive a trip through Redis so redirect and retry limits still hold.
_KEPT_META: Final = (
    "depth", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
    "retry_times", "handle_httpstatus_list", "newsloom_revalidate", "newsloom_article",
    "newsloom_section", "newsloom_depth", "download_timeout",
)  # fmt: skip


class RedisFrontierScheduler:
    """Scheduler interface over a shared, durable crawl state (see module docstring)."""

    def __init__(self, crawler: Crawler, state: CrawlState, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.state = state
        self.stats = stats
        self.spider: Spider | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Connect to the job named in the settings; lease length from ``NEWSLOOM_LEASE_S``."""
        settings = newsloom_settings(crawler)
        job = crawler.settings.get("NEWSLOOM_CRAWL_JOB")
        if not job:
            raise NotConfigured("NEWSLOOM_CRAWL_JOB must be set")
        state = CrawlState(
            redis_client(settings), str(job), crawler.settings.getfloat("NEWSLOOM_LEASE_S", 300)
        )
        assert crawler.stats is not None  # Scrapy always sets one
        scheduler = cls(crawler, state, crawler.stats)
        crawler.signals.connect(scheduler._response_received, signal=signals.response_received)
        crawler.signals.connect(scheduler._reached_downloader, signals.request_reached_downloader)
        crawler.signals.connect(scheduler._request_failed, signal=request_failed)
        crawler.signals.connect(scheduler._item_scraped, signal=signals.item_scraped)
        return scheduler

    def open(self, spider: Spider) -> None:
        """Remember the spider: stored requests name its callbacks and sources."""
        self.spider = spider
        logger.info("crawl job %s: %d URLs pending", self.state.job, self.state.pending())

    def close(self, reason: str) -> None:
        """Nothing to flush: every change was written to Redis when it happened."""

    def has_pending_requests(self) -> bool:
        """Queued or leased URLs anywhere in the job keep this crawler alive.

        A URL another crawler leased may come back (that crawler dies, its lease expires),
        so a crawler stays until the whole job is finished, not only its own part.
        """
        pending = self.state.pending()
        self.stats.set_value(FRONTIER_SIZE_KEY, pending)
        return pending > 0

    def __len__(self) -> int:
        return self.state.pending()

    def enqueue_request(self, request: scrapy.Request) -> bool:
        """Add the request's URL to the job unless the job already knows it."""
        redirected_from = request.meta.get("redirect_urls") or []
        if redirected_from:
            # The redirecting URL got its answer; its target is a URL of its own.
            self.state.finish(redirected_from[-1], "done", "redirected")
        added = self.state.add(request.url, self._serialise(request), force=request.dont_filter)
        if not added:
            self.stats.inc_value("dupefilter/filtered")
        else:
            self.stats.inc_value("scheduler/enqueued/redis")
        return added

    def next_request(self) -> scrapy.Request | None:
        """Lease the job's next URL (blocking Redis call: one round trip on loopback/LAN)."""
        lease = self.state.lease()
        if lease is None:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        if lease.attempts > 1:
            # A retry, or a URL whose earlier lease expired (its crawler died or stalled).
            self.stats.inc_value("newsloom/frontier/leased_again")
        known = {source.id for source in getattr(self.spider, "sources", [])}
        if lease.request.get("source") and lease.request["source"] not in known:
            # Crawlers of one job must be given the same sources; say so rather than guess.
            logger.error(
                "crawl job %s holds %s of source %r, which this crawler was not given; "
                "start every crawler of a job with the same sources",
                self.state.job, lease.url, lease.request["source"],
            )  # fmt: skip
            self.state.finish(lease.url, "failed", "unknown_source")
            self.stats.inc_value("newsloom/dropped/unknown_source")
            return None
        return self._deserialise(lease.url, lease.request)

    def _serialise(self, request: scrapy.Request) -> dict[str, Any]:
        source = request.cb_kwargs.get("source")
        callback = getattr(request.callback, "__name__", None)
        errback = getattr(request.errback, "__name__", None)
        meta = {key: request.meta[key] for key in _KEPT_META if key in request.meta}
        return {
            "callback": callback,
            "errback": errback,
            "source": getattr(source, "id", None),
            "meta": meta,
            "priority": request.priority,
            "dont_filter": request.dont_filter,
        }

    def _deserialise(self, url: str, stored: dict[str, Any]) -> scrapy.Request:
        spider = self.spider
        assert spider is not None  # the engine opens the scheduler before asking it
        sources = {source.id: source for source in getattr(spider, "sources", [])}
        cb_kwargs = {"source": sources[stored["source"]]} if stored.get("source") else {}
        return scrapy.Request(
            url,
            callback=getattr(spider, stored["callback"]) if stored.get("callback") else None,
            errback=getattr(spider, stored["errback"]) if stored.get("errback") else None,
            cb_kwargs=cb_kwargs,
            meta=dict(stored.get("meta") or {}),
            priority=int(stored.get("priority", 0)),
            dont_filter=bool(stored.get("dont_filter")),
        )

    def _reached_downloader(self, request: scrapy.Request, spider: Spider) -> None:
        # Queued locally behind the per-domain concurrency limit, the lease may be short of
        # the download itself: start its clock again now.
        self.state.renew(request.url)

    def _response_received(self, response: Response, request: scrapy.Request) -> None:
        self.state.finish(request.url, "done")

    def _item_scraped(self, item: Article, response: Response) -> None:
        fetched = response.request.url if response.request else response.url
        self.state.annotate(fetched, article_id=item.id, content_hash=item.content_hash)
        if item.canonical_url != fetched:
            # rel=canonical names the article's one URL: never fetch that one as well.
            self.state.mark_done(item.canonical_url, f"canonical of {fetched}")

    def _request_failed(self, request: scrapy.Request, reason: str) -> None:
        self.state.finish(request.url, "failed", reason)
