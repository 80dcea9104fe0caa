"""A Scrapy scheduler whose queue is the Redis crawl state shared by every crawler process.

Requests are stored as JSON (URL, callback names, source id and the meta that redirect and
retry limits need) in the job's :class:`~crawler.frontier.state.CrawlState`; any process that
names the same job may take them. Enabled by ``NEWSLOOM_CRAWL_JOB`` in the Scrapy settings
(``run_crawl`` always sets it).

A leased URL keeps its lease until its outcome is known, so a crawler that dies before it
leaves the URL to be fetched again rather than lost:

- ``done``, ``queued``: its article passed every item pipeline (``send_task`` returned);
- ``done`` with the item's drop reason (``unchanged``): there was nothing new to send;
- ``done``, ``redirected``: its redirect target is a URL of the job of its own;
- ``done``: a feed, sitemap or listing whose callback ended, every URL it found queued;
- back in the queue (neither done nor failed): its article could not be queued, the broker
  refused it for ``crawl_send_retry_s`` (:class:`~crawler.pipelines.enqueue.NotQueuedError`);
  it is fetched again, by this crawler or the job's next;
- ``failed`` with a reason: the errback saw it fail (download error, HTTP error, refused by
  a middleware, too large, redirect limit), its redirect went off the source's hosts, the
  spider dropped the page (:data:`request_failed`), the callback raised, or an item
  pipeline raised.

Scrapy sends no signal when a response's callback output is fully processed; the engine
keeps each request in its slot's in-progress set until then (items through the pipelines,
requests scheduled), so a handed-out request that left that set with no outcome recorded
is a finished discovery page.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Final, Self

import redis
import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.request import request_from_dict
from twisted.python.failure import Failure

from crawler.frontier.state import ALIVE_TTL_S, CrawlState, UrlState
from crawler.pipelines.enqueue import NotQueuedError
from crawler.settings import newsloom_settings
from newsloom.schema import Article
from newsloom.state import redis_client

__all__ = [
    "FRONTIER_SIZE_KEY",
    "GIVEN_BACK_KEY",
    "QUEUED",
    "REDIRECTED",
    "RedisFrontierScheduler",
    "request_failed",
]

logger = logging.getLogger(__name__)

# The metrics extension exports this stats key as the frontier size when it is set.
FRONTIER_SIZE_KEY: Final = "newsloom/frontier/size"
# Stats key: URLs given back because their article could not be queued.
GIVEN_BACK_KEY: Final = "newsloom/frontier/given_back"
# Sent (request=, reason=) by the spider's errback, by a callback that drops its page and by
# the offsite filter for a redirect target it refuses: the URL is finished, as failed.
request_failed = object()
# Outcome reasons recorded on a URL's entry.
QUEUED: Final = "queued"
REDIRECTED: Final = "redirected"
# Meta that must survive a trip through Redis so redirect and retry limits still hold, and
# a feed keeps its source's re-poll floor.
_KEPT_META: Final = (
    "depth", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
    "retry_times", "handle_httpstatus_list", "newsloom_revalidate", "newsloom_poll_floor_s",
    "newsloom_article", "newsloom_section", "newsloom_depth", "download_timeout",
)  # fmt: skip


class RedisFrontierScheduler:
    """Scheduler interface over a shared, durable crawl state (see module docstring)."""

    def __init__(self, crawler: Crawler, state: CrawlState, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.state = state
        self.stats = stats
        self.spider: Spider | None = None
        # URLs this process leased and handed to the engine, until their outcome is known.
        self._handed_out: dict[str, scrapy.Request] = {}
        self._finished: set[str] = set()
        # URLs to give back whose give-back Redis refused; tried again on every settle.
        self._to_give_back: set[str] = set()
        self._stopping = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, name="crawl-heartbeat", daemon=True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Connect to the job named in the settings; lease length from ``NEWSLOOM_LEASE_S``."""
        settings = newsloom_settings(crawler)
        job = crawler.settings.get("NEWSLOOM_CRAWL_JOB")
        if not job:
            raise NotConfigured("NEWSLOOM_CRAWL_JOB must be set")
        state = CrawlState(
            redis_client(settings), str(job), crawler.settings.getfloat("NEWSLOOM_LEASE_S", 300)
        )
        assert crawler.stats is not None  # Scrapy always sets one
        scheduler = cls(crawler, state, crawler.stats)
        connect = crawler.signals.connect
        connect(scheduler._reached_downloader, signal=signals.request_reached_downloader)
        connect(scheduler._request_failed, signal=request_failed)
        connect(scheduler._item_scraped, signal=signals.item_scraped)
        connect(scheduler._item_dropped, signal=signals.item_dropped)
        connect(scheduler._item_error, signal=signals.item_error)
        connect(scheduler._spider_error, signal=signals.spider_error)
        return scheduler

    def open(self, spider: Spider) -> None:
        """Say this crawler is alive, take over the leases of dead ones, start the heartbeat."""
        self.spider = spider
        self.state.heartbeat()
        if released := self.state.release_dead():
            self.stats.inc_value("newsloom/frontier/taken_over", released)
        self._heartbeat.start()
        logger.info("crawl job %s: %d URLs pending", self.state.job, self.state.pending())

    def close(self, reason: str) -> None:
        """Give back the URLs this crawler still holds (a deadline, a shutdown) at once."""
        self._stopping.set()
        if self._heartbeat.is_alive():
            self._heartbeat.join(timeout=ALIVE_TTL_S)
        if released := self.state.release_own():
            self.stats.inc_value("newsloom/frontier/released", released)
            logger.info("crawl job %s: %d unfinished URLs given back", self.state.job, released)

    def _beat(self) -> None:
        """Refresh the liveness key from a thread, so a busy reactor is not taken for dead."""
        while not self._stopping.wait(ALIVE_TTL_S / 3):
            try:
                self.state.heartbeat()
                if released := self.state.release_dead():
                    self.stats.inc_value("newsloom/frontier/taken_over", released)
            except Exception:  # a Redis blip must not end the heartbeat; the next beat retries
                logger.warning("crawl job %s: heartbeat failed", self.state.job, exc_info=True)

    def has_pending_requests(self) -> bool:
        """Queued or leased URLs anywhere in the job keep this crawler alive.

        A URL another crawler leased may come back (that crawler dies: its leases are taken
        over once its liveness key expires), so a crawler stays until the whole job is
        finished, not only its own part.
        """
        self._settle_processed()
        try:
            pending = self.state.pending()
        except redis.ConnectionError:
            # Redis is away: the job's state is unknown, so it is not over; ask again later.
            return True
        self.stats.set_value(FRONTIER_SIZE_KEY, pending)
        return pending > 0

    def __len__(self) -> int:
        return self.state.pending()

    def enqueue_request(self, request: scrapy.Request) -> bool:
        """Add the request's URL to the job unless the job already knows it."""
        redirected_from = request.meta.get("redirect_urls") or []
        if redirected_from:
            # The redirecting URL got its answer; its target is a URL of its own.
            self._finish(redirected_from[-1], "done", REDIRECTED)
        added = self.state.add(request.url, self._serialise(request), force=request.dont_filter)
        if not added:
            # Found again, maybe while this crawler still fetches it: its lease stays ours,
            # to be finished when that fetch ends.
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        # A retry of a URL this crawler holds went back to the queue: the first request's
        # end is not its outcome any more.
        self._handed_out.pop(request.url, None)
        return True

    def next_request(self) -> scrapy.Request | None:
        """Lease the job's next URL (blocking Redis call: one round trip on loopback/LAN)."""
        self._settle_processed()
        try:
            lease = self.state.lease()
        except redis.ConnectionError:
            return None  # Redis is away; the engine asks again on its next heartbeat
        if lease is None:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        if lease.attempts > 1:
            # A retry, or a URL whose earlier lease expired (its crawler died or stalled).
            self.stats.inc_value("newsloom/frontier/leased_again")
        known = {source.id for source in getattr(self.spider, "sources", [])}
        if lease.request.get("source") and lease.request["source"] not in known:
            # Crawlers of one job must be given the same sources; say so rather than guess.
            logger.error(
                "crawl job %s holds %s of source %r, which this crawler was not given; "
                "start every crawler of a job with the same sources",
                self.state.job, lease.url, lease.request["source"],
            )  # fmt: skip
            self.state.finish(lease.url, "failed", "unknown_source")
            self.stats.inc_value("newsloom/dropped/unknown_source")
            return None
        request = self._deserialise(lease.url, lease.request)
        self._handed_out[lease.url] = request
        return request

    def _settle_processed(self) -> None:
        """Finish, as done, the handed-out requests the engine is through with."""
        self._give_back_pending()
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)  # see the module docstring for why
        if slot is None:
            return
        in_progress = slot.inprogress
        for url, request in list(self._handed_out.items()):
            if request not in in_progress:
                self._finish(url, "done")

    def _finish(self, url: str, state: UrlState, reason: str = "") -> None:
        """Record the outcome of a URL once (a later event for it changes nothing)."""
        if self._handed_out.pop(url, None) is None and url in self._finished:
            return
        self._finished.add(url)
        self.state.finish(url, state, reason)

    def _serialise(self, request: scrapy.Request) -> dict[str, Any]:
        # Scrapy's own form (callbacks by spider method name), kept to what a re-fetch needs
        # and JSON can hold: the source by id (the spider has the models), the meta in
        # _KEPT_META; frontier requests are plain GETs with no headers or body of their own.
        stored = request.to_dict(spider=self.spider)
        source = stored["cb_kwargs"].get("source")
        return {
            "callback": stored["callback"],
            "errback": stored["errback"],
            "source": getattr(source, "id", None),
            "meta": {key: stored["meta"][key] for key in _KEPT_META if key in stored["meta"]},
            "priority": stored["priority"],
            "dont_filter": stored["dont_filter"],
        }

    def _deserialise(self, url: str, stored: dict[str, Any]) -> scrapy.Request:
        spider = self.spider
        assert spider is not None  # the engine opens the scheduler before asking it
        sources = {source.id: source for source in getattr(spider, "sources", [])}
        cb_kwargs = {"source": sources[stored["source"]]} if stored.get("source") else {}
        return request_from_dict(
            {
                "url": url,
                "callback": stored.get("callback"),
                "errback": stored.get("errback"),
                "cb_kwargs": cb_kwargs,
                "meta": dict(stored.get("meta") or {}),
                "priority": int(stored.get("priority", 0)),
                "dont_filter": bool(stored.get("dont_filter")),
            },
            spider=spider,
        )

    def _reached_downloader(self, request: scrapy.Request, spider: Spider) -> None:
        # Queued locally behind the per-domain concurrency limit, the lease may be short of
        # the download itself: start its clock again now.
        self.state.renew(request.url)

    def _item_scraped(self, item: Article, response: Response) -> None:
        fetched = response.request.url if response.request else response.url
        self.state.annotate(fetched, article_id=item.id, content_hash=item.content_hash)
        self._finish(fetched, "done", QUEUED)
        if item.canonical_url != fetched:
            # rel=canonical names the article's one URL: never fetch that one as well.
            self.state.mark_done(item.canonical_url, f"canonical of {fetched}")

    def _item_dropped(self, item: Article, response: Response, exception: DropItem) -> None:
        reason = str(getattr(exception, "reason", "item_dropped"))
        self._finish(_fetched_url(response), "done", reason)

    def _give_back(self, url: str) -> None:
        """The URL goes back to the queue; while Redis refuses, this crawler keeps it."""
        # No longer the engine's: settling must not take it for a finished page.
        self._handed_out.pop(url, None)
        self._to_give_back.add(url)
        self._give_back_pending()

    def _give_back_pending(self) -> None:
        for url in list(self._to_give_back):
            try:
                given = self.state.give_back(url)
            except redis.RedisError as error:
                # Still leased by this crawler: given back on a later try, at close, or by
                # whichever crawler takes over the job when this one dies.
                logger.warning("crawl job %s: could not give %s back yet: %s", self.state.job,
                               url, error)  # fmt: skip
                return
            self._to_give_back.discard(url)
            if given:
                self.stats.inc_value(GIVEN_BACK_KEY)
                logger.warning("crawl job %s: %s given back to be fetched again, its article "
                               "could not be queued", self.state.job, url)  # fmt: skip

    def _item_error(self, item: Article, response: Response, failure: Failure) -> None:
        if isinstance(failure.value, NotQueuedError):
            self._give_back(_fetched_url(response))
            return
        reason = f"item_error_{type(failure.value).__name__}"
        self.stats.inc_value(f"newsloom/dropped/{reason}")
        self._finish(_fetched_url(response), "failed", reason)

    def _spider_error(self, failure: Failure, response: Response) -> None:
        reason = f"spider_error_{type(failure.value).__name__}"
        self.stats.inc_value(f"newsloom/dropped/{reason}")
        self._finish(_fetched_url(response), "failed", reason)

    def _request_failed(self, request: scrapy.Request, reason: str) -> None:
        redirected_from = request.meta.get("redirect_urls") or []
        if request.url not in self._handed_out and redirected_from:
            # A redirect target refused before it was scheduled: its origin ends here.
            self._finish(redirected_from[-1], "failed", reason)
            return
        self._finish(request.url, "failed", reason)


def _fetched_url(response: Response) -> str:
    return response.request.url if response.request else response.url
