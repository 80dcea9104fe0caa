"""Scheduled crawls: RedBeat entries built from the source registry, and the ``crawl_source`` task.

The Celery app of the roles that need it (``newsloom beat`` and ``newsloom crawl-worker``):
beat writes one RedBeat entry per source when it starts, and a worker on the ``crawl`` queue
runs each crawl in a child process (Scrapy's reactor cannot be restarted inside a long-lived
worker). Both the schedule and its lock live in Redis, so a second beat on another host stands
by, and a Redis lock per source makes sure one source is never crawled twice at once.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from datetime import timedelta
from typing import Any, Final

import redis
from celery import Celery, Task, signals
from celery.schedules import schedule
from redbeat import RedBeatSchedulerEntry

from crawler.frontier.feeds import FeedStore
from crawler.sources import Source, SourceRegistry, load_sources
from newsloom.messaging import task_sender
from newsloom.queues import CRAWL_QUEUE, CRAWL_TASK, ROLLOVER_TASK
from newsloom.settings import Settings, get_settings
from newsloom.state import KEY_PREFIX, redis_client
from search.aliases import rollover, rollover_conditions
from search.client import create_client

__all__ = [
    "ROLLOVER_ENTRY",
    "app",
    "crawl_interval",
    "crawl_lock",
    "crawl_source",
    "has_due_work",
    "install_schedules",
    "rollover_indices",
]

logger = logging.getLogger(__name__)

# Only the schedule's own tasks: the crawl worker never loads the enrichment code.
app = task_sender(get_settings(), "newsloom-schedule")

ENTRY_PREFIX: Final = "crawl:"
ROLLOVER_ENTRY: Final = "maintenance:rollover"


def crawl_lock(client: redis.Redis, source_id: str, timeout_s: float) -> Any:
    """The lock one crawl of ``source_id`` holds; it expires after ``timeout_s`` if we die."""
    return client.lock(f"{KEY_PREFIX}:crawl-lock:{source_id}", timeout=timeout_s, blocking=False)


def has_due_work(source: Source, feeds: FeedStore, now: float) -> bool:
    """Whether a scheduled crawl of ``source`` would read anything.

    Sections and discovery from the homepage have no re-poll state, so such a source is
    always crawled; otherwise only when one of its feeds or sitemaps is due.
    """
    if source.sections or source.discovers_nothing:
        return True
    return any(feeds.get(str(url)).due(now) for url in (*source.feeds, *source.sitemaps))


def crawl_interval(source: Source, settings: Settings) -> timedelta:
    """The source's own ``crawl_interval_s`` when the registry has one, else the default."""
    return timedelta(seconds=source.crawl_interval_s or settings.crawl_interval_s)


def install_schedules(celery: Celery, registry: SourceRegistry, settings: Settings) -> list[str]:
    """Write one RedBeat entry per source into ``celery``'s Redis; drop removed sources'."""
    wanted = {}
    for source in registry.sources:
        entry = RedBeatSchedulerEntry(
            f"{ENTRY_PREFIX}{source.id}", CRAWL_TASK, schedule(crawl_interval(source, settings)),
            args=[source.id], options={"queue": CRAWL_QUEUE}, app=celery,
        )  # fmt: skip
        entry.save()
        wanted[entry.key] = source.id
    every = timedelta(seconds=settings.rollover_check_interval_s)
    RedBeatSchedulerEntry(
        ROLLOVER_ENTRY, ROLLOVER_TASK, schedule(every), options={"queue": CRAWL_QUEUE}, app=celery
    ).save()
    prefix = celery.conf.get("redbeat_key_prefix", "redbeat:")
    client = redis_client(settings)
    for key in client.scan_iter(f"{prefix}{ENTRY_PREFIX}*"):
        if key not in wanted:
            RedBeatSchedulerEntry.from_key(key, app=celery).delete()
    return sorted(wanted.values())


@signals.beat_init.connect
def _install_on_start(sender: Any = None, **_: Any) -> None:
    settings = get_settings()
    installed = install_schedules(app, load_sources(settings.sources_file), settings)
    logger.info("crawl schedules installed for %d sources: %s", len(installed), installed)


# Crawls run far longer than enrichment; the app-wide task time limit would kill them.
_CRAWL_TIME_LIMIT_S = get_settings().crawl_timeout_s + 60


@app.task(
    name=CRAWL_TASK,
    bind=True,
    acks_late=False,
    time_limit=_CRAWL_TIME_LIMIT_S,
    soft_time_limit=_CRAWL_TIME_LIMIT_S - 30,
)
def crawl_source(self: Task, source_id: str, urls: list[str] | None = None) -> str:  # type: ignore[type-arg]
    """Crawl one source now if anything is due; return "crawled", "skipped" or "not due".

    Scheduled crawls are incremental: conditional GETs for feeds and sitemaps, only feeds whose
    adaptive re-poll interval has passed, and only new or changed articles sent on. Not
    acknowledged late: a crawl killed halfway is simply run again at its next slot.

    ``urls`` (a WebSub delivery's new items) are fetched as the source's articles at once:
    neither the due check nor the crawl lock holds them up, since a running scheduled crawl
    has not seen them, and the job's frontier still fetches each of them once.
    """
    settings = get_settings()
    source = load_sources(settings.sources_file).by_id(source_id)  # refuses unknown ids
    job = f"{source.id}-{self.request.id}"
    if urls:
        _run_crawl(
            source, settings, job=job, incremental=True, discover=False,
            article_urls={source.id: urls},
        )  # fmt: skip
        return "crawled"
    client = redis_client(settings)
    # Outlives the crawl's own timeout, so it never expires under a crawl that is still running.
    lock = crawl_lock(client, source.id, settings.crawl_timeout_s + 60)
    if not lock.acquire():
        logger.info("crawl of %s skipped: another crawl of it is running", source.id)
        return "skipped"
    try:
        # Asked under the lock: a running crawl of the source is what moves its feeds' due times.
        if not has_due_work(source, FeedStore(client), time.time()):
            # A crawl process costs seconds of start-up: none is started to find nothing due.
            logger.info("crawl of %s not started: none of its feeds or sitemaps is due", source.id)
            return "not due"
        # One job per run (a finished job fetches nothing again); the task id names it.
        _run_crawl(source, settings, job=job, incremental=True, due_only=True)
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            logger.warning("the crawl lock of %s had expired before the crawl ended", source.id)
    return "crawled"


@signals.worker_init.connect
def _import_the_crawler(**_: Any) -> None:
    # Once, in the worker's main process: every crawl forks from there with Scrapy, the
    # extractors and the spider already imported, which would cost each crawl ~3 s of a
    # fresh interpreter's start-up (most of a pushed article's way to the index).
    import crawler.run  # noqa: F401


def _run_crawl(source: Source, settings: Settings, **options: Any) -> None:
    """Run one crawl (``crawler.run.run_crawl`` ``options``) in a forked child and wait for it.

    A child per crawl, because Scrapy's reactor cannot be restarted in a long-lived worker; a
    fork, not a new interpreter, so it starts in milliseconds. The child stops itself at the
    crawl timeout (Scrapy's close-spider timeout), and is killed if it overstays.
    """
    from crawler.run import run_crawl

    limit = settings.crawl_deadline_s or settings.crawl_timeout_s
    bounded = settings.model_copy(update={"crawl_deadline_s": min(limit, settings.crawl_timeout_s)})
    pid = os.fork()
    if pid == 0:  # the child: crawl, then leave without running the parent's exit handlers
        status = 1
        try:
            report = run_crawl(bounded, [source], **options)
            logger.info("crawl of %s: %d pages, %d articles queued", source.id, report.pages,
                        len(set(report.article_ids)))  # fmt: skip
            status = 0
        except BaseException:
            logger.exception("crawl of %s failed", source.id)
        finally:
            logging.shutdown()
            os._exit(status)
    deadline = time.monotonic() + settings.crawl_timeout_s + 30
    while (waited := os.waitpid(pid, os.WNOHANG)) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise RuntimeError(f"the crawl of {source.id} overstayed its timeout and was killed")
        time.sleep(0.1)
    if os.waitstatus_to_exitcode(waited[1]) != 0:
        raise RuntimeError(
            f"the crawl of {source.id} failed; its errors are in this worker's log above, or "
            f"run `newsloom crawl {source.id}` to see them"
        )


@app.task(name=ROLLOVER_TASK)
def rollover_indices() -> str:
    """Start a new write index if the current one is past the settings' age or size limits.

    Runs twice harmlessly: Elasticsearch checks the conditions and swaps the write alias
    atomically, so a second run finds a fresh index and keeps it. Returns the write index.
    """
    settings = get_settings()
    result = rollover(create_client(settings), settings.index_alias, rollover_conditions(settings))
    if result.rolled_over:
        logger.info("rolled over %s -> %s", result.old_index, result.new_index)
    return result.new_index if result.rolled_over else result.old_index
