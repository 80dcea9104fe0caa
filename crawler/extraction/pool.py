"""Article extraction in a pool of processes beside the crawler, so its reactor only fetches.

Extraction is CPU-bound (trafilatura and the project's readers, tens of milliseconds a page)
and the crawler's reactor is one thread: extracting there held the crawl to one core. With
``crawl_extract_processes`` above 0 each article page is extracted in a child process while
the spider's callback awaits the result, so fetching goes on meanwhile and extraction uses
every core; 0 extracts in the reactor's thread (one process, e.g. for a debugger).

Children are forked: a pool starts in milliseconds, where a fresh interpreter (spawn,
forkserver) spends seconds importing the extractor, and crawls are short and frequent. A
child runs extraction only; it never touches the crawler's Redis client or threads, and it
leaves Ctrl-C to the crawler, which shuts the pool down.

A child that dies (killed, out of memory, a crash in a C parser) breaks the whole pool: every
page it was extracting raises :class:`BrokenProcessPool` to its caller, and the next page
gets a new pool.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Final

from crawler.extraction.article import Counts, ExtractionError, extract_response_article
from crawler.sources import Source
from newsloom.schema import Article

__all__ = ["POOL_RESTARTS", "BrokenProcessPool", "ExtractionPool", "PageResult", "extract_page"]

logger = logging.getLogger(__name__)

# Stats key: pools replaced because a child process died.
POOL_RESTARTS: Final = "newsloom/extraction/pool_restarts"
# prctl(2) option: the signal the kernel sends this process when its parent dies.
_PR_SET_PDEATHSIG: Final = 1


@dataclass
class PageResult:
    """What extraction made of one page: the article or why none, and the misses it counted.

    Travels back from a pool process, so the misses are counted in the crawl's stats by the
    crawler (a child's own counts would be lost with it).
    """

    article: Article | None
    error: ExtractionError | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        """Count a miss (this object is the :class:`Counts` extraction is given)."""
        self.counts[key] = self.counts.get(key, start) + count

    def article_counted(self, stats: Counts | None) -> Article:
        """The article, after adding the misses to ``stats``; raises why there is none."""
        if stats is not None:
            for key, count in self.counts.items():
                stats.inc_value(key, count)
        if self.error is not None:
            raise self.error
        assert self.article is not None  # extract_page sets one of the two
        return self.article


def extract_page(body: bytes, content_type: str, url: str, source: Source) -> PageResult:
    """Extract one HTTP response; an unusable page is returned as the error, not raised."""
    result = PageResult(article=None)
    try:
        result.article = extract_response_article(body, content_type, url, source, stats=result)
    except ExtractionError as error:
        result.error = error
    return result


def _child_started(crawler_pid: int) -> None:
    # Forked, the child has the crawler's signal handlers and asyncio's wake-up descriptor
    # (a signal here would wake the crawler's loop): give both back, ignore Ctrl-C.
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A crawler killed outright (SIGKILL, OOM) cannot stop its children, and they would live
    # on: siblings keep each other's task pipe open, and they hold the crawler's stdout.
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != crawler_pid:  # it died before the line above
        os._exit(1)


class ExtractionPool:
    """Extracts pages in ``processes`` child processes (started at the first page), or here.

    Override misses and pool restarts are counted into ``stats`` (the crawl's).
    """

    def __init__(self, processes: int, stats: Counts | None = None) -> None:
        self.processes = processes
        self.stats = stats
        self._executor: ProcessPoolExecutor | None = None

    async def extract(self, body: bytes, content_type: str, url: str, source: Source) -> Article:
        """The article of one response.

        Raises ``ExtractionError`` for a page with no article, ``BrokenProcessPool`` when the
        child extracting it died (the page was not extracted: fetch it again).
        """
        if self.processes == 0:
            return extract_page(body, content_type, url, source).article_counted(self.stats)
        executor, future = self._submit(body, content_type, url, source)
        try:
            result = await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._discard(executor)
            raise
        return result.article_counted(self.stats)

    def _submit(
        self, body: bytes, content_type: str, url: str, source: Source
    ) -> tuple[ProcessPoolExecutor, Future[PageResult]]:
        executor = self._running()
        try:
            return executor, executor.submit(extract_page, body, content_type, url, source)
        except BrokenProcessPool:
            # It broke on earlier pages whose callers have not heard yet; this one is intact.
            self._discard(executor)
            executor = self._running()
            return executor, executor.submit(extract_page, body, content_type, url, source)

    def _running(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_child_started,
                initargs=(os.getpid(),),
            )
        return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, whichever of its pages noticed first)."""
        if executor is not self._executor:
            return
        self._executor = None
        if self.stats is not None:
            self.stats.inc_value(POOL_RESTARTS)
        logger.warning("an extraction process died; starting a new pool")
        executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the child processes, waiting for them (the crawl is over)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
