"""Run a crawl in this process and report what it found, with a live progress display."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from scrapy import Spider, signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from crawler.settings import scrapy_settings
from crawler.sources import Source
from crawler.spiders.news import NewsSpider
from newsloom.schema import Article
from newsloom.settings import Settings

__all__ = ["CrawlReport", "run_crawl"]


@dataclass
class CrawlReport:
    """What one crawl did: pages fetched, articles queued, and the crawl's Scrapy stats."""

    pages: int = 0
    article_ids: list[str] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)


ProgressCallback = Callable[[CrawlReport], None]


def run_crawl(
    settings: Settings,
    sources: list[Source],
    on_progress: ProgressCallback | None = None,
    article_urls: dict[str, list[str]] | None = None,
) -> CrawlReport:
    """Crawl ``sources`` to completion; every extracted article is queued for enrichment.

    ``article_urls`` adds pages to fetch as articles of the source with that id, undiscovered.
    """
    report = CrawlReport()

    def page_fetched(response: Response, spider: Spider) -> None:
        report.pages += 1
        if on_progress:
            on_progress(report)

    def article_queued(item: Article, spider: Spider) -> None:
        report.article_ids.append(item.id)
        if on_progress:
            on_progress(report)

    process = CrawlerProcess(scrapy_settings(settings), install_root_handler=False)
    crawler = process.create_crawler(NewsSpider)
    crawler.signals.connect(page_fetched, signal=signals.response_received)
    crawler.signals.connect(article_queued, signal=signals.item_scraped)
    process.crawl(crawler, sources=sources, article_urls=article_urls)
    process.start()
    report.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return report
