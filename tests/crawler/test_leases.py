"""When a crawled URL counts as finished: only once its outcome is known, always with one.

Real crawls in child processes against a loopback server; the job's entries in Redis say
how each URL ended.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from crawler.frontier import CrawlState
from newsloom.settings import Settings
from newsloom.state import redis_client
from tests.crawler.children import crawl_report, start_crawl, write_sources
from tests.crawler.robots_server import ARTICLE_HTML, robots_server

pytestmark = pytest.mark.integration

ALLOW_ALL = b"User-agent: *\nAllow: /\n"
NO_ARTICLE = b"<html><head></head><body></body></html>"


def _source(base: str, **extra: Any) -> dict[str, Any]:
    return {"id": "leases", "name": "Leases case", "homepage": f"{base}/",
            "allow_private_network": True, **extra}  # fmt: skip


def _crawl_job(
    settings: Settings, source: dict[str, Any], urls: list[str], timeout_s: float = 90
) -> tuple[dict[str, Any], CrawlState]:
    """Crawl ``urls`` as one job; its report and its state in Redis."""
    job = uuid.uuid4().hex
    sources_file = write_sources(settings, f"leases-{job}", [source])
    child = start_crawl(settings, sources_file, article_urls={source["id"]: urls}, job=job)
    return crawl_report(child, timeout_s=timeout_s), CrawlState(redis_client(settings), job, 300)


def test_redirect_off_the_sources_hosts_ends_the_crawl(services: Settings) -> None:
    redirects: dict[str, str] = {}
    with robots_server(200, robots_body=ALLOW_ALL, redirects=redirects) as base:
        other_host = base.replace("127.0.0.1", "localhost")
        redirects["/moved"] = f"{other_host}/article"
        report, state = _crawl_job(
            services, _source(base), [f"{base}/moved", f"{other_host}/article"], timeout_s=60
        )
    entries = state.entries()
    assert state.pending() == 0
    assert entries[f"{base}/moved"]["state"] == "failed", entries
    assert entries[f"{base}/moved"]["reason"] == "offsite"
    assert f"{other_host}/article" not in entries  # refused before it reached the frontier
    assert report["stats"].get("newsloom/dropped/offsite") == 2, report["stats"]


def test_every_url_ends_with_its_outcome(services: Settings) -> None:
    pages = {"/article": ARTICLE_HTML, "/index": NO_ARTICLE}
    redirects: dict[str, str] = {}
    with robots_server(200, pages, robots_body=ALLOW_ALL, redirects=redirects) as base:
        redirects["/old"] = f"{base}/article"
        urls = [f"{base}/old", f"{base}/index", f"{base}/missing"]
        report, state = _crawl_job(services, _source(base), urls)
    entries = state.entries()
    outcomes = {url.removeprefix(base): (e["state"], e.get("reason")) for url, e in entries.items()}
    assert outcomes == {
        "/old": ("done", "redirected"),
        "/article": ("done", "queued"),
        "/index": ("failed", "no_article"),
        "/missing": ("failed", "http_404"),
    }
    assert "article_id" in entries[f"{base}/article"]
    assert report["articles"] == 1


def test_deadline_stops_the_crawl_and_gives_unfinished_urls_back(services: Settings) -> None:
    # More pages than the downloader takes in at once, so some are still waiting at the deadline.
    pages = {f"/article/{n}": ARTICLE_HTML for n in range(60)}
    with robots_server(200, pages, robots_body=ALLOW_ALL) as base:
        source = _source(base, politeness={"concurrency": 1, "delay_s": 1.0})
        started = time.monotonic()
        _, state = _crawl_job(
            services.model_copy(update={"crawl_deadline_s": 2.0}),
            source,
            [f"{base}{path}" for path in pages],
        )
        elapsed = time.monotonic() - started
    counts = state.counts()
    assert elapsed < 30, elapsed
    assert counts.get("leased", 0) == 0, counts  # nothing left for a lease to time out
    assert 0 < counts.get("discovered", 0) < len(pages), counts
    assert state.pending() == counts["discovered"]
