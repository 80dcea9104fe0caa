"""Incremental crawling: conditional GETs for feeds, adaptive re-poll, changed articles only."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawler.frontier.feeds import MAX_INTERVAL_S, MIN_INTERVAL_S, FeedStore, next_interval
from crawler.sources import load_sources
from newsloom.schema import article_id
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from tests.crawler.children import crawl, crawl_report, start_crawl, write_sources
from tests.crawler.robots_server import robots_server


def test_busy_feeds_are_polled_more_often_quiet_ones_less() -> None:
    assert next_interval(3600, changed=True) == 1800
    assert next_interval(3600, changed=False) == 7200
    assert next_interval(MIN_INTERVAL_S, changed=True) == MIN_INTERVAL_S
    assert next_interval(MAX_INTERVAL_S, changed=False) == MAX_INTERVAL_S


@pytest.mark.integration
def test_second_crawl_gets_304s_revisits_fresh_articles_and_skips_feeds_not_due(
    services: Settings, fixture_sources: Path
) -> None:
    listed_source = load_sources(fixture_sources).by_id("almayadeen")
    # A floor of its own, unlike the default: it must reach the feed through the frontier.
    source = listed_source.model_copy(update={"poll_floor_s": 45})
    sources_file = write_sources(services, "incremental", [source.model_dump(mode="json")])
    listed = len(source.feeds) + len(source.sitemaps)
    discovery = listed + 1  # the sitemap index names one more sitemap

    first = crawl_report(start_crawl(services, sources_file, "--incremental"))
    assert first["stats"].get("newsloom/feeds/changed") == discovery, first["stats"]
    assert first["articles"] == 1

    second = crawl_report(start_crawl(services, sources_file, "--incremental"))
    # An unchanged sitemap index does not lead to its sitemaps again.
    assert second["stats"].get("newsloom/feeds/not_modified") == listed, second["stats"]
    assert second["stats"].get("downloader/response_status_count/304") == listed
    assert second["articles"] == 0  # an unchanged feed announces nothing new
    # The article sent minutes ago is fresh: re-visited anyway, and not re-sent unchanged.
    assert second["stats"].get("newsloom/revisits") == 1, second["stats"]
    assert second["stats"].get("newsloom/dropped/unchanged") == 1

    store = FeedStore(redis_client(services))
    feed = store.get(str(source.feeds[0]))
    # Its one item gives no rhythm: the first poll took the floor, the unchanged one doubled it.
    assert feed.etag and feed.interval_s == 2 * 45
    third = crawl_report(start_crawl(services, sources_file, "--due-only"))
    assert third["stats"].get("newsloom/feeds/not_due") == listed
    assert third["stats"].get("downloader/response_count", 0) == 0


def _article(body: str) -> bytes:
    return (
        "<html><head><title>Talks resume</title>"
        '<meta property="og:title" content="Talks resume"></head><body><article>'
        f"<h1>Talks resume</h1><p>{body}</p><p>Negotiators met for a third day in Panmunjom "
        "and agreed to meet again next week, officials said.</p></article></body></html>"
    ).encode()


@pytest.mark.integration
def test_updated_article_is_sent_again_once_with_its_modified_date(
    services: Settings, es: Elasticsearch, worker: BackgroundProcess
) -> None:
    pages = {"/article": _article("The first version of the story, as published.")}
    with robots_server(404, pages) as base:
        source = {"id": "updates", "name": "Updates", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        urls = [f"{base}/article"]
        first = crawl(services, source, urls, "--incremental")
        unchanged = crawl(services, source, urls, "--incremental")
        pages["/article"] = _article("A corrected version: the talks were moved to Seoul.")
        updated = crawl(services, source, urls, "--incremental")
        again = crawl(services, source, urls, "--incremental")

    assert first.get("item_scraped_count") == 1
    assert unchanged.get("newsloom/dropped/unchanged") == 1
    assert unchanged.get("item_scraped_count", 0) == 0
    assert updated.get("item_scraped_count") == 1
    assert updated.get("newsloom/articles/updated") == 1
    assert again.get("newsloom/dropped/unchanged") == 1
    document_id = article_id(f"{base}/article")
    deadline = time.monotonic() + 120
    while True:
        found = es.options(ignore_status=404).get(index=services.index_alias, id=document_id)
        if found.get("found") and "Seoul" in found["_source"]["body"]:
            break
        assert time.monotonic() < deadline, f"the update was not indexed: {found}"
        time.sleep(1)
    assert found["_source"]["modified_at"], "the update's date was not recorded"
