"""The generic news spider: each source's feeds, sitemaps and section pages -> ``Article``.

A source that lists none of them has its feeds discovered from the homepage's
``<link rel=alternate>`` and its sitemaps from robots.txt. Requests go through the shared
Redis frontier (:mod:`crawler.frontier`), so every callback here may run in any crawler
process of the job.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Self
from urllib.parse import urljoin

import feedparser
import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.drops import TOO_LARGE, failure_reason
from crawler.extensions.archive import ARTICLE
from crawler.extraction import ExtractionError, NotHTMLError
from crawler.extraction.pool import BrokenProcessPool, ExtractionPool
from crawler.frontier.feeds import FeedStore
from crawler.frontier.scheduler import request_failed
from crawler.frontier.sent import SentArticles
from crawler.middlewares.conditional import NOT_MODIFIED, POLL_FLOOR, REVALIDATE
from crawler.middlewares.robots import AI_OPT_OUT_REASON
from crawler.settings import newsloom_settings
from crawler.sources import Source
from crawler.spiders.discovery import alternate_feeds, robots_sitemaps, section_links
from crawler.spiders.optout import declares_noai
from crawler.urls import canonical_url
from crawler.websub.discovery import advertised_hub
from crawler.websub.subscriptions import SubscriptionStore
from newsloom.schema import Article
from newsloom.state import redis_client

__all__ = ["NewsSpider"]

Callback = Callable[..., Any]
# Request meta of listing pages: which section of the source, how many hops from its URL.
SECTION = "newsloom_section"
DEPTH = "newsloom_depth"
# Stats key: article pages fetched again because the process extracting them died.
EXTRACTION_LOST = "newsloom/extraction/refetched"


class NewsSpider(scrapy.Spider):
    """Discovers article URLs from each source's feeds, sitemaps and sections; extracts them."""

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
        self.extraction = ExtractionPool(0)  # in-process unless built by a crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Extract in the pool of processes the settings ask for (``crawl_extract_processes``)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._open_extraction, signal=signals.spider_opened)
        return spider

    def _open_extraction(self) -> None:
        # Not in from_crawler: the crawl's stats exist only once it starts.
        processes = newsloom_settings(self.crawler).crawl_extract_processes
        self.extraction = ExtractionPool(processes, self.crawler.stats)

    def closed(self, reason: str) -> None:
        """Stop the extraction processes."""
        self.extraction.close()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Request every feed and sitemap of every source (only those due, if so asked)."""
        if not self.crawler.settings.getbool("NEWSLOOM_DISCOVER", True):
            for source in self.sources:
                for url in self.article_urls.get(source.id, []):
                    yield self._article_request(url, source)
            return
        for source in self.sources:
            for feed in source.feeds:
                if self._due(str(feed)):
                    yield self._discovery_request(str(feed), self.parse_feed, source)
            for sitemap in source.sitemaps:
                if self._due(str(sitemap)):
                    yield self._discovery_request(str(sitemap), self.parse_sitemap, source)
            for index, section in enumerate(source.sections):
                yield self._section_request(str(section.url), source, index, depth=0)
            articles = self.article_urls.get(source.id, [])
            for url in articles:
                yield self._article_request(url, source)
            for url in self._fresh(source):
                yield self._article_request(url, source)
            if source.discovers_nothing and not articles:
                homepage = str(source.homepage)
                yield self._request(homepage, self.parse_homepage, source)
                yield self._request(urljoin(homepage, "/robots.txt"), self.parse_robots, source)

    def _due(self, url: str) -> bool:
        """With ``NEWSLOOM_DUE_ONLY``, a feed is read only once its adaptive interval passed."""
        if not self.crawler.settings.getbool("NEWSLOOM_DUE_ONLY"):
            return True
        store = FeedStore(redis_client(newsloom_settings(self.crawler)))
        if store.get(url).due(time.time()):
            return True
        self.crawler.stats.inc_value("newsloom/feeds/not_due")
        return False

    def _fresh(self, source: Source) -> list[str]:
        """Incremental crawls re-visit the source's fresh articles, whatever its feeds say."""
        if not self.crawler.settings.getbool("NEWSLOOM_INCREMENTAL"):
            return []
        sent = SentArticles(redis_client(newsloom_settings(self.crawler)))
        urls = sent.fresh_urls(source.id)
        self.crawler.stats.inc_value("newsloom/revisits", len(urls))
        return urls

    def _request(self, url: str, callback: Callback, source: Source) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback,
            errback=self.count_failure,
            cb_kwargs={"source": source},
            meta={"download_timeout": source.politeness.timeout_s},
        )

    def _discovery_request(self, url: str, callback: Callback, source: Source) -> scrapy.Request:
        """A feed or sitemap request: revalidated when the crawl is incremental."""
        request = self._request(url, callback, source)
        request.meta[REVALIDATE] = True
        floor = source.poll_floor_s or newsloom_settings(self.crawler).feed_poll_floor_s
        request.meta[POLL_FLOOR] = floor
        request.meta["handle_httpstatus_list"] = [NOT_MODIFIED]
        return request

    def _section_request(
        self, url: str, source: Source, section: int, depth: int
    ) -> scrapy.Request:
        request = self._request(url, self.parse_section, source)
        request.meta.update({SECTION: section, DEPTH: depth})
        return request

    def _article_request(self, url: str, source: Source) -> scrapy.Request:
        request = self._request(canonical_url(url), self.parse_article, source)
        request.meta[ARTICLE] = True  # its raw response is archived
        return request

    def count_failure(self, failure: Failure) -> None:
        """Count a request that produced no response for the spider, by reason."""
        request = failure.request  # type: ignore[attr-defined]
        assert failure.value is not None  # an errback's failure always carries its exception
        max_redirects = self.crawler.settings.getint("REDIRECT_MAX_TIMES")
        reason = failure_reason(failure.value, request, max_redirects)
        self.crawler.stats.inc_value(f"newsloom/dropped/{reason}")
        self.crawler.signals.send_catch_log(request_failed, request=request, reason=reason)
        self.logger.info("dropped %s: %s", request.url, failure.value)

    def _drop(self, response: Response, reason: str, stats_key: str | None = None) -> None:
        """Count a fetched page this spider could not use; its URL is finished as failed."""
        self.crawler.stats.inc_value(f"newsloom/dropped/{stats_key or reason}")
        self.crawler.signals.send_catch_log(request_failed, request=response.request, reason=reason)

    def parse_feed(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Follow every entry link of an RSS or Atom feed."""
        if response.status == NOT_MODIFIED:
            return  # nothing new since the last crawl; counted by the conditional GET
        feed = feedparser.parse(response.body)
        if feed.bozo and not feed.entries:
            self._drop(response, "bad_feed", f"bad_feed/{source.id}")
            self.logger.warning("unreadable feed %s: %s", response.url, feed.bozo_exception)
            return
        self._remember_hub(feed, response, source)
        for entry in feed.entries:
            link = entry.get("link")
            if link:
                yield self._article_request(response.urljoin(link), source)

    def _remember_hub(self, feed: Any, response: Response, source: Source) -> None:
        """Record the feed's WebSub hub, for the receiver to subscribe (when one is set up)."""
        settings = newsloom_settings(self.crawler)
        if settings.websub_callback_url is None:
            return
        links = [value.decode("latin-1") for value in response.headers.getlist("Link")]
        advert = advertised_hub(feed, links, response.url)
        if advert is not None:
            SubscriptionStore(redis_client(settings)).advertise(source.id, advert.topic, advert.hub)
            self.crawler.stats.inc_value("newsloom/websub/hubs_seen")

    def parse_sitemap(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Follow a sitemap index to its sitemaps, and a URL set to its pages."""
        if response.status == NOT_MODIFIED:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            # A .xml.gz is not HTTP content-encoding, so no middleware inflated it: hold it to
            # the size limit of every other download (a gzip bomb is a few KB on the wire).
            max_size = int(response.meta.get("download_maxsize", self._max_size()))
            try:
                body = gunzip(body, max_size=max_size)
            except _DecompressionMaxSizeExceeded:
                self._drop(response, TOO_LARGE)
                self.logger.warning("sitemap %s is over %d bytes inflated", response.url, max_size)
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types for a broken document
            self._drop(response, "bad_sitemap", f"bad_sitemap/{source.id}")
            self.logger.warning("unreadable sitemap %s", response.url)
            return
        for entry in sitemap:
            location = response.urljoin(entry["loc"])
            if sitemap.type == "sitemapindex":
                yield self._discovery_request(location, self.parse_sitemap, source)
            else:
                yield self._article_request(location, source)

    def _max_size(self) -> int:
        return self.crawler.settings.getint("DOWNLOAD_MAXSIZE")

    def parse_homepage(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Auto-discovery: follow the feeds a homepage announces in ``<link rel=alternate>``."""
        for feed in alternate_feeds(response.body, response.url):
            self.crawler.stats.inc_value("newsloom/discovered/feeds")
            yield self._discovery_request(feed, self.parse_feed, source)

    def parse_robots(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Auto-discovery: follow the sitemaps robots.txt names."""
        for sitemap in robots_sitemaps(response.text, response.url):
            self.crawler.stats.inc_value("newsloom/discovered/sitemaps")
            yield self._discovery_request(sitemap, self.parse_sitemap, source)

    def parse_section(self, response: Response, source: Source) -> Iterator[scrapy.Request]:
        """Articles linked from a listing page; listings linked from it, within the depth."""
        index, depth = int(response.meta[SECTION]), int(response.meta[DEPTH])
        section = source.sections[index]
        links = section_links(response.body, response.url, section)
        self.crawler.stats.inc_value("newsloom/discovered/section_articles", len(links.articles))
        for url in links.articles:
            yield self._article_request(url, source)
        for url in links.listings:
            if depth >= section.max_depth:
                self.crawler.stats.inc_value("newsloom/dropped/depth_limit")
                continue
            yield self._section_request(url, source, index, depth + 1)

    async def parse_article(
        self, response: Response, source: Source
    ) -> AsyncIterator[Article | scrapy.Request]:
        """Extract the article on this page (in the extraction pool), or count why not."""
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        x_robots_tag = b"\n".join(response.headers.getlist(b"X-Robots-Tag")).decode("latin-1")
        if declares_noai(x_robots_tag, response.body):
            self._drop(response, AI_OPT_OUT_REASON)
            self.logger.info("skipped %s: the page opts out of AI use (noai)", response.url)
            return
        try:
            # Scrapy saw binary content whatever the header (``.text`` would decode the body).
            if not isinstance(response, TextResponse):
                raise NotHTMLError(f"{response.url}: not HTML (binary body)")
            article = await self.extraction.extract(
                response.body, content_type, response.url, source
            )
        except BrokenProcessPool:
            # Not extracted, so not lost: the URL goes back to the frontier (its attempts
            # are counted there, so a page that kills every extractor fails in the end).
            self.crawler.stats.inc_value(EXTRACTION_LOST)
            self.logger.warning("the process extracting %s died; fetching it again", response.url)
            assert response.request is not None  # a callback's response has its request
            yield response.request.replace(dont_filter=True)
            return
        except NotHTMLError as error:
            self._drop(response, "not_html")
            self.logger.info("skipped %s", error)
        except ExtractionError as error:
            self._drop(response, "no_article")
            self.logger.info("%s", error)
        else:
            yield article
