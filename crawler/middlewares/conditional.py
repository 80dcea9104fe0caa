"""Conditional GET for feeds and sitemaps: ask only for what changed since the last crawl.

A feed that has not changed answers ``304 Not Modified`` with no body, which saves the
outlet and us the transfer and the parse; it also means nothing new to discover. Requests
the spider marks with ``meta["newsloom_revalidate"]`` carry ``If-None-Match`` and
``If-Modified-Since`` from the validators stored in Redis (:mod:`crawler.frontier.feeds`),
shared by every crawler process. Enabled by ``NEWSLOOM_INCREMENTAL``. Each request also
carries its source's re-poll floor (``meta["newsloom_poll_floor_s"]``), and a feed's first
full answer updates its rhythm from the times of its items (sitemaps: their ``lastmod``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final, Self

import feedparser
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.sitemap import Sitemap

from crawler.frontier.feeds import MIN_INTERVAL_S, FeedStore, interval_from_items
from crawler.settings import incremental_settings
from newsloom.state import redis_client

__all__ = ["NOT_MODIFIED", "POLL_FLOOR", "REVALIDATE", "ConditionalGet", "item_times"]

REVALIDATE = "newsloom_revalidate"
POLL_FLOOR = "newsloom_poll_floor_s"
NOT_MODIFIED = 304

# A sitemap names its root element within its first bytes; feedparser would read one slowly.
_SITEMAP_ROOTS: Final = re.compile(rb"<(?:\w+:)?(?:urlset|sitemapindex)\b")
_ROOT_WINDOW: Final = 2048


class ConditionalGet:
    """Downloader middleware adding validators to feed requests and storing new ones."""

    def __init__(self, store: FeedStore, stats: StatsCollector) -> None:
        self.store = store
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Only for incremental crawls; the validators live in the crawl's Redis."""
        settings = incremental_settings(crawler)
        assert crawler.stats is not None  # Scrapy always sets one
        return cls(FeedStore(redis_client(settings)), crawler.stats)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Send the stored validators of a feed or sitemap."""
        if not request.meta.get(REVALIDATE):
            return
        known = self.store.get(request.url)
        if known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
        if known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        """Remember the new validators, or count a 304; either way the spider decides next."""
        if not request.meta.get(REVALIDATE):
            return response
        floor = float(request.meta.get(POLL_FLOOR, MIN_INTERVAL_S))
        if response.status == NOT_MODIFIED:
            self.stats.inc_value("newsloom/feeds/not_modified")
            self.store.polled(request.url, changed=False, floor_s=floor)
        elif response.status == 200:  # the one status that carries a new document
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            known = self.store.get(request.url)
            text_etag = etag.decode("latin-1") if etag else None
            changed = text_etag is None or text_etag != known.etag
            self.stats.inc_value(f"newsloom/feeds/{'changed' if changed else 'unchanged'}")
            self.store.polled(
                request.url,
                changed=changed,
                etag=text_etag,
                last_modified=modified.decode("latin-1") if modified else None,
                floor_s=floor,
                rhythm_s=interval_from_items(item_times(response)) if changed else None,
            )
        return response


def item_times(response: Response) -> list[datetime]:
    """The publication (or update) times of a feed's items, or a sitemap's ``lastmod``s."""
    if _SITEMAP_ROOTS.search(response.body[:_ROOT_WINDOW]):
        return _sitemap_times(response.body)
    parsed = feedparser.parse(response.body)
    times = []
    for entry in parsed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            year, month, day, hour, minute, second = stamp[:6]
            times.append(datetime(year, month, day, hour, minute, second, tzinfo=UTC))
    return times


def _sitemap_times(body: bytes) -> list[datetime]:
    times = []
    # Sitemap parses with lxml's recovery: a broken document yields what it could read.
    for entry in Sitemap(body):
        try:
            stamp = datetime.fromisoformat(entry.get("lastmod", ""))
        except ValueError:
            continue
        times.append(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC))
    return times
