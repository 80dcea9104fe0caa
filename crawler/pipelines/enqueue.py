"""Send each extracted article to the workers' ``enrich`` queue, retrying a broker outage.

A URL is done only once its article is in the broker. When the broker refuses the message
(down, restarting), the send is retried with full-jitter exponential backoff for
``crawl_send_retry_s``, without blocking the reactor; if it still fails the pipeline raises
:class:`NotQueuedError` and the frontier gives the URL back to be fetched again
(``crawler.frontier.scheduler``), rather than marking it failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Self

import kombu.exceptions
from celery import Celery
from celery.utils.time import get_exponential_backoff_interval
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.settings import newsloom_settings
from newsloom.errors import NewsloomError
from newsloom.messaging import task_sender
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article

__all__ = ["SEND_RETRIES_KEY", "EnqueuePipeline", "NotQueuedError"]

logger = logging.getLogger(__name__)

# Stats key: sends retried after the broker refused an article.
SEND_RETRIES_KEY = "newsloom/enqueue/send_retries"
# The first retry waits up to this long; each further one doubles, up to _BACKOFF_MAX_S.
_BACKOFF_FACTOR_S = 1
_BACKOFF_MAX_S = 10


class NotQueuedError(NewsloomError):
    """The broker refused an article for longer than ``crawl_send_retry_s``."""


class EnqueuePipeline:
    """Publishes articles as ``enrich`` tasks; the crawler never waits for enrichment."""

    def __init__(self, celery: Celery, retry_s: float, stats: StatsCollector | None = None) -> None:
        self.celery = celery
        self.retry_s = retry_s
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build from the newsloom settings object placed in the Scrapy settings."""
        settings = newsloom_settings(crawler)
        return cls(task_sender(settings), settings.crawl_send_retry_s, crawler.stats)

    async def process_item(self, item: Article) -> Article:
        """Queue the article for enrichment and pass it on; raise ``NotQueuedError``."""
        payload = item.model_dump(mode="json")
        deadline = time.monotonic() + self.retry_s
        attempt = 0
        while True:
            try:
                # kombu's own publish retries (a few quick reconnects) run inside this call.
                self.celery.send_task(ENRICH_TASK, args=[payload], queue=ENRICH_QUEUE)
                return item
            except kombu.exceptions.OperationalError as error:
                wait_s = get_exponential_backoff_interval(
                    _BACKOFF_FACTOR_S, attempt, _BACKOFF_MAX_S, full_jitter=True
                )
                if time.monotonic() + wait_s > deadline:
                    raise NotQueuedError(
                        f"the broker refused {item.url} for {self.retry_s:.0f} s "
                        f"(NEWSLOOM_CRAWL_SEND_RETRY_S): {error}"
                    ) from error
                logger.warning("could not queue %s (%s); retrying in %.1f s", item.url, error,
                               wait_s)  # fmt: skip
                if self.stats is not None:
                    self.stats.inc_value(SEND_RETRIES_KEY)
                attempt += 1
                # The crawl's reactor is asyncio's: other downloads go on while this waits.
                await asyncio.sleep(wait_s)
