"""Send each extracted article to the workers' ``enrich`` queue."""

from __future__ import annotations

from typing import Self

from celery import Celery
from scrapy.crawler import Crawler

from crawler.settings import newsloom_settings
from newsloom.messaging import task_sender
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article

__all__ = ["EnqueuePipeline"]


class EnqueuePipeline:
    """Publishes articles as ``enrich`` tasks; the crawler never waits for enrichment."""

    def __init__(self, celery: Celery) -> None:
        self.celery = celery

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build from the newsloom settings object placed in the Scrapy settings."""
        settings = newsloom_settings(crawler)
        return cls(task_sender(settings))

    def process_item(self, item: Article) -> Article:
        """Queue the article for enrichment and pass it on."""
        self.celery.send_task(ENRICH_TASK, args=[item.model_dump(mode="json")], queue=ENRICH_QUEUE)
        return item
