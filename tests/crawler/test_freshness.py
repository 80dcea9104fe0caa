"""Freshness: per-source re-poll floors, a first interval from the feed's own items, and no
scheduled crawl process when nothing of a source is due."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import TextResponse

from crawler.frontier.feeds import MAX_INTERVAL_S, FeedStore, interval_from_items, next_interval
from crawler.middlewares.conditional import item_times
from crawler.sources.model import Source
from newsloom.settings import Settings
from ops.schedule import has_due_work
from tests.workers.private import private_redis

_FEED_URL = "https://wire.example/rss.xml"


def _rss(times: list[datetime]) -> bytes:
    items = "".join(
        f"<item><title>{n}</title><link>https://wire.example/{n}</link>"
        f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n, when in enumerate(times)
    )
    return f'<rss version="2.0"><channel><title>w</title>{items}</channel></rss>'.encode()


def test_the_floor_bounds_the_adaptive_interval() -> None:
    assert next_interval(100, changed=True, floor_s=30) == 50
    assert next_interval(40, changed=True, floor_s=30) == 30
    assert next_interval(40, changed=True) == 300  # the default floor
    assert next_interval(MAX_INTERVAL_S, changed=False, floor_s=30) == MAX_INTERVAL_S


def test_a_feed_rhythm_is_the_median_gap_between_its_items() -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    times = [start + timedelta(minutes=m) for m in (0, 2, 4, 6, 60)]
    assert interval_from_items(times) == 120
    assert interval_from_items(times[:1]) is None
    assert interval_from_items([start, start]) is None  # the same time twice is one item


def test_item_times_are_read_from_rss_and_none_from_a_sitemap() -> None:
    when = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    feed = TextResponse(_FEED_URL, body=_rss([when]), encoding="utf-8")
    assert item_times(feed) == [when]
    sitemap = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    assert item_times(TextResponse("https://wire.example/s.xml", body=sitemap)) == []


@pytest.mark.integration
def test_a_first_poll_takes_the_feed_rhythm_within_the_floor(services: Settings) -> None:
    with private_redis(services, 9) as client:
        store = FeedStore(client)
        first = store.polled(_FEED_URL, changed=True, floor_s=30, first_interval_s=45)
        assert first.interval_s == 45
        assert first.next_poll_at == pytest.approx(time.time() + 45, abs=5)
        # Later polls adapt from there; the rhythm only seeds the first.
        assert (
            store.polled(_FEED_URL, changed=True, floor_s=30, first_interval_s=45).interval_s == 30
        )
        slow = store.polled("https://quiet.example/rss", changed=True, floor_s=30,
                            first_interval_s=10)  # fmt: skip
        assert slow.interval_s == 30


@pytest.mark.integration
def test_a_source_is_crawled_on_schedule_only_when_something_is_due(services: Settings) -> None:
    source = Source.model_validate(
        {"id": "wire", "name": "Wire", "homepage": "https://wire.example/",
         "feeds": [_FEED_URL], "poll_floor_s": 30}
    )  # fmt: skip
    with private_redis(services, 9) as client:
        store = FeedStore(client)
        assert has_due_work(source, store, time.time())  # never read: due now
        store.polled(_FEED_URL, changed=True, floor_s=30, first_interval_s=60)
        assert not has_due_work(source, store, time.time())
        assert has_due_work(source, store, time.time() + 61)
        with_sections = source.model_copy(
            update={"sections": [{"url": "https://wire.example/nk", "article_pattern": "/a/"}]}
        )
        assert has_due_work(with_sections, store, time.time())
