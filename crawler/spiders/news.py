"""The generic news spider: feeds and sitemaps of each source -> article pages -> ``Article``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import feedparser
import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from crawler.extraction import ExtractionError, extract_article
from crawler.sources import Source
from crawler.urls import canonical_url
from newsloom.schema import Article

__all__ = ["NewsSpider"]


class NewsSpider(scrapy.Spider):
    """Discovers article URLs from each source's feeds and sitemaps and extracts them."""

    name = "news"

    def __init__(self, sources: list[Source], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.allowed_domains = sorted({d for source in sources for d in source.allowed_domains})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Request every feed and sitemap of every source."""
        for source in self.sources:
            for feed in source.feeds:
                yield scrapy.Request(str(feed), self.parse_feed, cb_kwargs={"source": source})
            for sitemap in source.sitemaps:
                yield scrapy.Request(str(sitemap), self.parse_sitemap, cb_kwargs={"source": source})

    def _article_request(self, url: str, source: Source) -> scrapy.Request:
        return scrapy.Request(canonical_url(url), self.parse_article, cb_kwargs={"source": source})

    def parse_feed(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Follow every entry link of an RSS or Atom feed."""
        feed = feedparser.parse(response.body)
        if feed.bozo and not feed.entries:
            self.crawler.stats.inc_value(f"newsloom/dropped/bad_feed/{source.id}")
            self.logger.warning("unreadable feed %s: %s", response.url, feed.bozo_exception)
            return
        for entry in feed.entries:
            link = entry.get("link")
            if link:
                yield self._article_request(response.urljoin(link), source)

    def parse_sitemap(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Follow a sitemap index to its sitemaps, and a URL set to its pages."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body)
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types for a broken document
            self.crawler.stats.inc_value(f"newsloom/dropped/bad_sitemap/{source.id}")
            self.logger.warning("unreadable sitemap %s", response.url)
            return
        for entry in sitemap:
            location = response.urljoin(entry["loc"])
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(location, self.parse_sitemap, cb_kwargs={"source": source})
            else:
                yield self._article_request(location, source)

    def parse_article(self, response: Response, source: Source) -> Iterator[Article]:
        """Extract the article on this page, or count why not."""
        if not hasattr(response, "text"):
            self.crawler.stats.inc_value("newsloom/dropped/not_html")
            return
        try:
            yield extract_article(response.text, response.url, source)
        except ExtractionError as error:
            self.crawler.stats.inc_value("newsloom/dropped/no_article")
            self.logger.info("%s", error)
