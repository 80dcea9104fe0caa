"""The generic news spider: feeds and sitemaps of each source -> article pages -> ``Article``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import feedparser
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.extraction import ExtractionError, extract_article
from crawler.extraction.encoding import decode_html
from crawler.sources import Source
from crawler.urls import canonical_url
from newsloom.schema import Article

__all__ = ["NewsSpider"]

Callback = Callable[..., Any]

# Scrapy's built-in components raise IgnoreRequest without counting why; name the reason.
_IGNORE_REASONS = (
    ("SSRF guard", None),  # counted by the guard itself
    ("Forbidden by robots.txt", "robots"),
    ("max redirections", "redirect_limit"),
    ("DOWNLOAD_MAXSIZE", "too_large"),
)


def _header_encoding(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _ignored_reason(message: str) -> str | None:
    for marker, reason in _IGNORE_REASONS:
        if marker in message:
            return reason
    return "ignored"


class NewsSpider(scrapy.Spider):
    """Discovers article URLs from each source's feeds and sitemaps and extracts them."""

    name = "news"

    def __init__(
        self,
        sources: list[Source],
        article_urls: dict[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        # Pages to fetch as articles without discovery (re-visits, replays, tests), by source.
        self.article_urls = article_urls or {}
        self.allowed_domains = sorted({d for source in sources for d in source.allowed_domains})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Request every feed and sitemap of every source."""
        for source in self.sources:
            for feed in source.feeds:
                yield self._request(str(feed), self.parse_feed, source)
            for sitemap in source.sitemaps:
                yield self._request(str(sitemap), self.parse_sitemap, source)
            for url in self.article_urls.get(source.id, []):
                yield self._article_request(url, source)

    def _request(self, url: str, callback: Callback, source: Source) -> scrapy.Request:
        return scrapy.Request(
            url, callback, errback=self.count_failure, cb_kwargs={"source": source}
        )

    def _article_request(self, url: str, source: Source) -> scrapy.Request:
        return self._request(canonical_url(url), self.parse_article, source)

    def count_failure(self, failure: Failure) -> None:
        """Count a request that produced no response for the spider, by reason."""
        error = failure.value
        reason: str | None
        if isinstance(error, HttpError):
            reason = f"http_{error.response.status}"
        elif isinstance(error, IgnoreRequest):
            reason = _ignored_reason(str(error))
            if reason is None:
                return  # the component that ignored it counted its own reason
        else:
            reason = type(error).__name__
        self.crawler.stats.inc_value(f"newsloom/dropped/{reason}")
        self.logger.info("dropped %s: %s", failure.request.url, error)  # type: ignore[attr-defined]

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
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if not hasattr(response, "text") or "html" not in content_type.lower():
            self.crawler.stats.inc_value("newsloom/dropped/not_html")
            self.logger.info("skipped %s: not HTML (%s)", response.url, content_type or "no type")
            return
        try:
            html = decode_html(response.body, _header_encoding(content_type))
            yield extract_article(html, response.url, source)
        except ExtractionError as error:
            self.crawler.stats.inc_value("newsloom/dropped/no_article")
            self.logger.info("%s", error)
