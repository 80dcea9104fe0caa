"""Re-visits send an article on only when its content changed, with the change dated.

Runs before :mod:`crawler.pipelines.enqueue` in incremental crawls (``NEWSLOOM_INCREMENTAL``):
an article whose title and body hash to what was sent last is dropped as ``unchanged``; a
changed one goes on with ``modified_at`` set (the page's own date when it declares one,
else when we saw the change). The new hash is recorded only once the article was queued,
so a failed send is retried by the next re-visit.
"""

from __future__ import annotations

from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.drops import DroppedItem
from crawler.frontier.sent import SentArticles
from crawler.settings import incremental_settings
from newsloom.schema import Article
from newsloom.state import redis_client

__all__ = ["ChangedOnly"]


class ChangedOnly:
    """Item pipeline: drop unchanged re-visits, date the changed ones."""

    def __init__(self, sent: SentArticles, stats: StatsCollector) -> None:
        self.sent = sent
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Only for incremental crawls; remembers sent versions in the crawl's Redis."""
        settings = incremental_settings(crawler)
        assert crawler.stats is not None  # Scrapy always sets one
        pipeline = cls(SentArticles(redis_client(settings)), crawler.stats)
        crawler.signals.connect(pipeline.item_sent, signal=signals.item_scraped)
        return pipeline

    def process_item(self, item: Article) -> Article:
        """Pass a new or changed article on; drop one sent before as it is."""
        last = self.sent.last_hash(item.id)
        if last is None:
            return item
        if last == item.content_hash:
            self.stats.inc_value("newsloom/dropped/unchanged")
            raise DroppedItem("unchanged", f"{item.url}: unchanged since it was last sent")
        self.stats.inc_value("newsloom/articles/updated")
        if item.modified_at is None:
            item.modified_at = item.fetched_at
        return item

    def item_sent(self, item: Article, response: Response, spider: Spider) -> None:
        """Every pipeline passed it (the enqueue one too): this version is now the sent one."""
        self.sent.record(item.id, item.content_hash)
        self.sent.record_first_sent(item.source_id, item.url)
