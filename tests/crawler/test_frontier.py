"""Distributed, durable crawling: real crawler processes sharing one job's frontier in Redis."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawler.frontier import CrawlState
from crawler.sources import load_sources
from crawler.urls import canonical_url
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.fixture_site.pages import expected_articles
from ops.dev.local.background import BackgroundProcess
from search.waiting import count_indexed
from tests.conftest import run_cli
from tests.crawler.children import crawl_report, start_crawl, write_sources

pytestmark = pytest.mark.integration


def _corpus_sources(settings: Settings, fixture_sources: Path) -> tuple[Path, set[str]]:
    """A sources file with the corpus outlet only, and the article URLs it must yield."""
    source = load_sources(fixture_sources).by_id("corpus")
    origin = str(source.homepage).rstrip("/")
    urls = {
        canonical_url(origin + a.path) for a in expected_articles(settings.shared_dir)["corpus"]
    }
    sources_file = write_sources(settings, "corpus", [source.model_dump(mode="json")])
    return sources_file, urls


def _state(settings: Settings, job: str, lease_s: float = 300) -> CrawlState:
    return CrawlState(redis_client(settings), job, lease_s)


def test_add_is_idempotent_and_an_expired_lease_comes_back(services: Settings) -> None:
    state = _state(services, uuid.uuid4().hex, lease_s=0.5)
    assert state.add("http://a.example/1", {"callback": "parse"})
    assert not state.add("http://a.example/1", {"callback": "parse"})
    lease = state.lease()
    assert lease is not None and lease.url == "http://a.example/1" and lease.attempts == 1
    assert state.lease() is None  # held by the first taker
    time.sleep(0.6)
    again = state.lease()  # the first taker died: its lease ran out
    assert again is not None and again.attempts == 2
    state.finish(again.url, "done")
    assert state.pending() == 0
    assert state.counts() == {"done": 1}


def test_a_canonical_url_marked_done_is_never_queued(services: Settings) -> None:
    state = _state(services, uuid.uuid4().hex)
    assert state.mark_done("http://a.example/story", "canonical of http://a.example/story?p=1")
    assert not state.add("http://a.example/story", {"callback": "parse_article"})
    assert state.lease() is None
    assert state.counts() == {"done": 1}


def test_two_crawlers_split_one_job(services: Settings, fixture_sources: Path) -> None:
    sources_file, article_urls = _corpus_sources(services, fixture_sources)
    job = uuid.uuid4().hex
    children = [start_crawl(services, sources_file, job=job) for _ in range(2)]
    reports = [crawl_report(child) for child in children]

    fetched = [{url for url in r["fetched"] if not url.endswith("/robots.txt")} for r in reports]
    assert fetched[0] and fetched[1], "both crawlers should have taken a share"
    assert not fetched[0] & fetched[1], f"fetched twice: {sorted(fetched[0] & fetched[1])[:5]}"
    assert article_urls <= fetched[0] | fetched[1]
    entries = _state(services, job).entries()
    assert {e["state"] for e in entries.values()} == {"done"}
    # Each fetched once; the pages' rel=canonical URLs are known without a fetch.
    assert {e["attempts"] for e in entries.values() if "canonical" not in e.get("reason", "")} == {
        1
    }
    assert sum(r["articles"] for r in reports) == len(
        {e["article_id"] for e in entries.values() if "article_id" in e}
    )
    status = run_cli(services, "crawler", "status", job)
    assert "done" in status and str(len(entries)) in status


def test_a_listing_found_again_while_it_is_fetched_still_ends_the_crawl(
    services: Settings, fixture_sources: Path
) -> None:
    # The slow listing is still downloading when the quick one links to it again: the
    # duplicate is filtered, and the slow one must still be finished when its parse ends.
    source = load_sources(fixture_sources).by_id("almayadeen")
    origin = str(source.homepage).rstrip("/")
    sections = [
        {"url": f"{origin}/edge/slow", "article_pattern": "/no-articles-here/"},
        {
            "url": f"{origin}/edge/links-to-slow",
            "article_pattern": "/no-articles-here/",
            "follow_pattern": "/edge/slow$",
        },
    ]
    described = {
        **source.model_dump(mode="json"),
        "feeds": [],
        "sitemaps": [],
        "sections": sections,
    }
    sources_file = write_sources(services, "listing-found-again", [described])
    job = uuid.uuid4().hex
    started = time.monotonic()
    report = crawl_report(start_crawl(services, sources_file, job=job, lease_s=120), timeout_s=90)
    assert time.monotonic() - started < 60, "the crawl waited for a lease to run out"
    assert report["stats"].get("dupefilter/filtered", 0) >= 1
    slow = _state(services, job).entries()[canonical_url(f"{origin}/edge/slow")]
    assert (slow["state"], slow["attempts"]) == ("done", 1)


def test_killed_crawler_is_finished_by_a_restarted_one(
    services: Settings, es: Elasticsearch, worker: BackgroundProcess, fixture_sources: Path
) -> None:
    sources_file, article_urls = _corpus_sources(services, fixture_sources)
    # Leases far longer than the test: the dead crawler's must be taken over by liveness.
    job, lease_s = uuid.uuid4().hex, 300.0
    state = _state(services, job)
    first = start_crawl(services, sources_file, job=job, lease_s=lease_s)
    deadline = time.monotonic() + 120
    while state.counts().get("done", 0) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()  # SIGKILL: no clean-up, its leases stay behind
    first.communicate()
    before = state.entries()
    done_before = {url for url, e in before.items() if e["state"] == "done" and e["attempts"]}
    held = {url for url, e in before.items() if e["state"] == "leased"}
    assert done_before and state.pending() > 0, "the crawl should have been cut halfway"

    restarted = time.monotonic()
    report = crawl_report(start_crawl(services, sources_file, job=job, lease_s=lease_s))
    assert time.monotonic() - restarted < 120, "the restart waited for the dead crawler's leases"
    assert report["stats"].get("newsloom/frontier/taken_over") == len(held)

    after = state.entries()
    assert state.pending() == 0
    assert article_urls <= {url for url, e in after.items() if e["state"] == "done"}
    # Done means queued: every article page that is done has the article it sent recorded.
    unqueued = [url for url in article_urls if after[url].get("reason") != "queued"]
    assert not unqueued, [(url, after[url]) for url in unqueued[:5]]
    # Nothing finished before the kill was fetched again; only what it held was retried.
    assert all(after[url]["attempts"] == 1 for url in done_before)
    retried = {url for url, e in after.items() if e["attempts"] > 1}
    assert retried <= held
    # Every article the two crawlers sent is indexed, once: ids come from canonical URLs.
    article_ids = sorted({e["article_id"] for e in after.values() if "article_id" in e})
    assert len(article_ids) > 0.9 * len(article_urls)
    deadline = time.monotonic() + 180
    while count_indexed(es, services.index_alias, article_ids) < len(article_ids):
        assert time.monotonic() < deadline, "not every article was indexed"
        time.sleep(1)
    es.indices.refresh(index=services.index_alias)
    duplicates = es.search(
        index=services.index_alias,
        size=0,
        query={"terms": {"_id": article_ids}},
        aggs={"urls": {"terms": {"field": "canonical_url", "min_doc_count": 2}}},
    )["aggregations"]["urls"]["buckets"]
    assert duplicates == []
