"""Scrapy settings built from the newsloom settings object."""

from __future__ import annotations

from typing import Any

from newsloom.settings import Settings

__all__ = ["scrapy_settings"]


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
        "LOG_LEVEL": "WARNING",
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.ssrf.SSRFGuard": 50,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.middlewares.robots.RFC9309RobotsTxt": 100,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.enqueue.EnqueuePipeline": 800},
        "EXTENSIONS": {"crawler.extensions.metrics.CrawlMetrics": 500},
    }
