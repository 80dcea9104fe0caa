"""Extraction in a pool of processes beside the crawler: same articles, nothing lost to a crash."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction.pool import POOL_RESTARTS
from crawler.frontier import CrawlState
from crawler.sources import load_sources
from crawler.spiders.news import EXTRACTION_LOST
from crawler.urls import canonical_url
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.fixture_site.pages import expected_articles
from ops.dev.local.supervision import child_pids, process_cmdline
from tests.crawler.children import crawl_report, start_crawl, write_sources

pytestmark = pytest.mark.integration

# A section selector that matches no corpus page: every page counts an override miss.
MISSING_SECTION = "h6.no-such-section"
MISS_KEY = "newsloom/dropped/override_section_no_match/corpus"


def _corpus(settings: Settings, fixture_sources: Path, name: str) -> tuple[Path, set[str]]:
    """The corpus outlet with an override that always misses, and its article URLs."""
    source = load_sources(fixture_sources).by_id("corpus").model_dump(mode="json")
    source["extraction"] = {"section": MISSING_SECTION}
    origin = str(source["homepage"]).rstrip("/")
    urls = {
        canonical_url(origin + a.path) for a in expected_articles(settings.shared_dir)["corpus"]
    }
    return write_sources(settings, name, [source]), urls


def _with_processes(settings: Settings, processes: int) -> Settings:
    return settings.model_copy(update={"crawl_extract_processes": processes})


def _outcomes(settings: Settings, job: str) -> dict[str, tuple[Any, ...]]:
    """Every URL of a job: its state and reason, the article it sent and that one's content."""
    entries = CrawlState(redis_client(settings), job, 300).entries()
    return {
        url: (e["state"], e.get("reason"), e.get("article_id"), e.get("content_hash"))
        for url, e in entries.items()
    }


def _drops(stats: dict[str, int]) -> dict[str, int]:
    return {key: value for key, value in stats.items() if key.startswith("newsloom/dropped/")}


def test_a_pool_of_two_yields_what_in_process_extraction_does(
    services: Settings, fixture_sources: Path
) -> None:
    sources_file, article_urls = _corpus(services, fixture_sources, "pool-same")
    runs = {}
    for processes in (0, 2):
        settings = _with_processes(services, processes)
        job = uuid.uuid4().hex
        runs[processes] = (job, crawl_report(start_crawl(settings, sources_file, job=job)))

    (local_job, local), (pool_job, pool) = runs[0], runs[2]
    assert sorted(pool["article_ids"]) == sorted(local["article_ids"])
    assert len(pool["article_ids"]) >= len(article_urls)
    assert _outcomes(services, pool_job) == _outcomes(services, local_job)
    # Misses counted in the pool's processes reach the crawl's stats, as in-process ones do.
    assert _drops(pool["stats"]) == _drops(local["stats"])
    assert pool["stats"][MISS_KEY] >= len(article_urls)
    assert POOL_RESTARTS not in pool["stats"]


def _pool_children(pid: int) -> list[int]:
    """The crawler's forked children: its extraction processes (same command line)."""
    command = process_cmdline(pid)
    return [child for child in child_pids(pid) if process_cmdline(child) == command]


def test_an_extraction_process_killed_mid_crawl_loses_no_url(
    services: Settings, fixture_sources: Path
) -> None:
    sources_file, article_urls = _corpus(services, fixture_sources, "pool-kill")
    job = uuid.uuid4().hex
    state = CrawlState(redis_client(services), job, 300)
    crawl = start_crawl(_with_processes(services, 2), sources_file, job=job)
    killed: set[int] = set()
    deadline = time.monotonic() + 180
    # Kill extraction processes until a page they held has gone back to the frontier.
    while crawl.poll() is None and time.monotonic() < deadline and len(killed) < 4:
        if any(e["attempts"] > 1 for e in state.entries().values()):
            break
        for child in set(_pool_children(crawl.pid)) - killed:
            os.kill(child, signal.SIGKILL)
            killed.add(child)
            break
        time.sleep(0.05)
    report = crawl_report(crawl)

    assert killed, "the crawl ended before its extraction pool started"
    assert report["stats"][POOL_RESTARTS] >= 1
    assert report["stats"][EXTRACTION_LOST] >= 1, "no page was being extracted at the kill"
    entries = state.entries()
    retried = {url for url, e in entries.items() if e["attempts"] > 1}
    assert retried, "the pages the dead process held should have been fetched again"
    # Every article page is done and its article queued: none was lost with the process.
    assert article_urls <= entries.keys()
    lost = [(u, entries[u]) for u in article_urls if entries[u]["state"] != "done"]
    assert not lost, lost[:5]
    assert all(entries[url]["reason"] == "queued" for url in retried & article_urls)
    assert state.pending() == 0
