"""Write the raw response of every article page to this crawl's WARC file.

Article requests carry ``meta["newsloom_article"]`` (set by the spider); feeds, sitemaps and
robots.txt are not archived. The file is opened when the spider opens and closed when it
closes; each record is flushed as it is written.
"""

from __future__ import annotations

from typing import Final, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.archive import ArchivedResponse, WarcArchive, warc_directory
from crawler.settings import newsloom_settings
from newsloom.settings import Settings

__all__ = ["ARTICLE", "WarcCapture"]

ARTICLE: Final = "newsloom_article"


class WarcCapture:
    """Extension: archives article responses as WARC records."""

    def __init__(self, settings: Settings, job: str) -> None:
        self.settings = settings
        self.job = job
        self.archive: WarcArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Archive under the state directory, one file per job and process."""
        settings = newsloom_settings(crawler)
        capture = cls(settings, str(crawler.settings.get("NEWSLOOM_CRAWL_JOB") or "crawl"))
        crawler.signals.connect(capture.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(capture.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(capture.response_received, signal=signals.response_received)
        return capture

    def spider_opened(self, spider: Spider) -> None:
        """Open this crawl's WARC file."""
        self.archive = WarcArchive.create(warc_directory(self.settings.state_dir), self.job)

    def spider_closed(self, spider: Spider) -> None:
        """Close the WARC file."""
        if self.archive is not None:
            self.archive.close()

    def response_received(self, response: Response, request: Request) -> None:
        """Archive the response if it answers an article request."""
        if self.archive is None or not request.meta.get(ARTICLE):
            return
        headers = {
            key.decode("latin-1"): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
        self.archive.write(ArchivedResponse(response.url, response.status, headers, response.body))
