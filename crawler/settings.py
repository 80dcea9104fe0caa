"""Scrapy settings built from the newsloom settings object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.sources import Source
from newsloom.settings import Settings

__all__ = ["download_slots", "incremental_settings", "newsloom_settings", "scrapy_settings"]


def newsloom_settings(crawler: Crawler) -> Settings:
    """The newsloom settings :func:`scrapy_settings` placed in ``crawler``'s Scrapy settings.

    Raises ``NotConfigured`` (Scrapy then leaves the component out) for a crawl that was not
    built by :func:`scrapy_settings`, e.g. a bare ``scrapy`` command.
    """
    settings = crawler.settings.get("NEWSLOOM_SETTINGS")
    if not isinstance(settings, Settings):
        raise NotConfigured(
            "NEWSLOOM_SETTINGS is not set: start crawls with `newsloom crawl`, which builds "
            "the Scrapy settings with crawler.settings.scrapy_settings"
        )
    return settings


def incremental_settings(crawler: Crawler) -> Settings:
    """The newsloom settings of an incremental crawl; ``NotConfigured`` for any other crawl.

    For the components that only incremental crawls enable (conditional GETs, changed-only
    sending), whose state lives in the crawl's Redis.
    """
    if not crawler.settings.getbool("NEWSLOOM_INCREMENTAL"):
        raise NotConfigured("not an incremental crawl")
    return newsloom_settings(crawler)


def download_slots(sources: Sequence[Source]) -> dict[str, dict[str, Any]]:
    """Scrapy's per-host slots from each source's politeness limits (strictest one wins)."""
    slots: dict[str, dict[str, Any]] = {}
    for source in sources:
        for host in source.allowed_domains:
            limits = source.politeness
            slot = slots.setdefault(host, {"concurrency": limits.concurrency, "delay": 0.0})
            slot["concurrency"] = min(slot["concurrency"], limits.concurrency)
            slot["delay"] = max(slot["delay"], limits.delay_s)
    return slots


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    """Polite defaults: robots.txt obeyed, AutoThrottle on, bounded sizes and timeouts."""
    return {
        "NEWSLOOM_SETTINGS": settings,
        "BOT_NAME": "newsloom",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.1,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": 30,
        # Measured after decompression too (Scrapy's HttpCompressionMiddleware stops inflating
        # at this size), so a compression bomb costs at most this much memory. The largest
        # real article pages are ~2-3 MiB of HTML.
        "DOWNLOAD_MAXSIZE": 4 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 2 * 1024 * 1024,
        "REDIRECT_MAX_TIMES": 5,
        "RETRY_TIMES": 2,
        "TELNETCONSOLE_ENABLED": False,
        # Every connection's addresses are checked at connect time (SSRF, DNS rebinding).
        "TWISTED_DNS_RESOLVER": "crawler.middlewares.resolver.CheckedResolver",
        "DNS_TIMEOUT": 10,
        # An optional deadline: the crawl stops then and gives its unfinished URLs back.
        "CLOSESPIDER_TIMEOUT": settings.crawl_deadline_s,
        "LOG_LEVEL": "WARNING",
        # The frontier lives in Redis so crawler processes on any host share it
        # (crawler/frontier/); its own de-duplication replaces Scrapy's dupefilter.
        "SCHEDULER": "crawler.frontier.scheduler.RedisFrontierScheduler",
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.ssrf.SSRFGuard": 50,
            # Also a scheduling check: a refused redirect target finishes its origin's URL.
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "crawler.middlewares.offsite.SourceHostsOnly": 50,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.middlewares.robots.RFC9309RobotsTxt": 100,
            # Incremental crawls only (NEWSLOOM_INCREMENTAL); sees 304s before HttpError does.
            "crawler.middlewares.conditional.ConditionalGet": 560,
        },
        "ITEM_PIPELINES": {
            "crawler.pipelines.changed.ChangedOnly": 700,  # incremental crawls only
            "crawler.pipelines.enqueue.EnqueuePipeline": 800,
        },
        "EXTENSIONS": {
            "crawler.extensions.metrics.CrawlMetrics": 500,
            "crawler.extensions.archive.WarcCapture": 510,
        },
    }
