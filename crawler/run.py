"""Run a crawl in this process and report what it found, with a live progress display."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from scrapy import Spider, signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response

from crawler.middlewares.ssrf import PRIVATE_ENDPOINTS, private_endpoints
from crawler.settings import download_slots, scrapy_settings
from crawler.sources import Source
from crawler.spiders.news import NewsSpider
from newsloom.schema import Article
from newsloom.settings import Settings

__all__ = ["CrawlReport", "run_crawl"]


@dataclass
class CrawlReport:
    """What one crawl did: pages fetched, articles queued, and the crawl's Scrapy stats."""

    job: str = ""
    pages: int = 0
    fetched_urls: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)


ProgressCallback = Callable[[CrawlReport], None]


def run_crawl(
    settings: Settings,
    sources: list[Source],
    on_progress: ProgressCallback | None = None,
    article_urls: dict[str, list[str]] | None = None,
    job: str | None = None,
    lease_s: float = 300.0,
    incremental: bool = False,
    due_only: bool = False,
    discover: bool = True,
) -> CrawlReport:
    """Crawl ``sources`` to completion; every extracted article is queued for enrichment.

    ``article_urls`` adds pages to fetch as articles of the source with that id, undiscovered.
    Crawls that name the same ``job`` share one frontier in Redis: started on several hosts
    they split its URLs, and started again after a crash they finish it (a URL a dead
    crawler held is fetched again once its ``lease_s`` runs out). Without a job name the
    crawl is a job of its own.

    ``incremental`` revalidates feeds and sitemaps (conditional GET) and sends an article on
    only when its content changed since it was last sent; ``due_only`` also skips feeds
    whose adaptive re-poll interval has not passed (for scheduled crawls). Without
    ``discover`` only ``article_urls`` are fetched: no feed, sitemap, section or re-visit.
    """
    report = CrawlReport(job=job or uuid.uuid4().hex)

    def page_fetched(response: Response, request: Request, spider: Spider) -> None:
        report.pages += 1
        report.fetched_urls.append(request.url)
        if on_progress:
            on_progress(report)

    def article_queued(item: Article, spider: Spider) -> None:
        report.article_ids.append(item.id)
        if on_progress:
            on_progress(report)

    crawl_settings = {
        **scrapy_settings(settings),
        "NEWSLOOM_CRAWL_JOB": report.job,
        "NEWSLOOM_LEASE_S": lease_s,
        "NEWSLOOM_INCREMENTAL": incremental,
        "NEWSLOOM_DUE_ONLY": due_only,
        "NEWSLOOM_DISCOVER": discover,
        "DOWNLOAD_SLOTS": download_slots(sources),
        PRIVATE_ENDPOINTS: sorted(
            f"{host}:{port}"
            for endpoints in private_endpoints(sources).values()
            for host, port in endpoints
        ),
    }
    process = CrawlerProcess(crawl_settings, install_root_handler=False)
    crawler = process.create_crawler(NewsSpider)
    crawler.signals.connect(page_fetched, signal=signals.response_received)
    crawler.signals.connect(article_queued, signal=signals.item_scraped)
    process.crawl(crawler, sources=sources, article_urls=article_urls)
    process.start()
    report.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return report
