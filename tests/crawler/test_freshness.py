"""Freshness: per-source re-poll floors, intervals bounded by the feed's own rhythm, and no
scheduled crawl process when nothing of a source is due."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import TextResponse

from crawler.frontier.feeds import (
    MAX_INTERVAL_S,
    FeedState,
    FeedStore,
    interval_from_items,
    next_interval,
)
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


def test_item_times_are_read_from_rss_and_from_a_sitemaps_lastmod() -> None:
    when = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    feed = TextResponse(_FEED_URL, body=_rss([when]), encoding="utf-8")
    assert item_times(feed) == [when]
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://wire.example/1</loc><lastmod>2026-05-01T21:30:00+09:00</lastmod></url>"
        b"<url><loc>https://wire.example/2</loc><lastmod>2026-05-01</lastmod></url>"
        b"<url><loc>https://wire.example/3</loc><lastmod>yesterday</lastmod></url>"
        b"<url><loc>https://wire.example/4</loc></url></urlset>"
    )
    assert item_times(TextResponse("https://wire.example/s.xml", body=sitemap)) == [
        when,
        datetime(2026, 5, 1, tzinfo=UTC),
    ]
    empty = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    assert item_times(TextResponse("https://wire.example/s.xml", body=empty)) == []


@pytest.mark.integration
def test_a_first_poll_takes_the_feed_rhythm_within_the_floor(services: Settings) -> None:
    with private_redis(services, 9) as client:
        store = FeedStore(client)
        first = store.polled(_FEED_URL, changed=True, floor_s=30, rhythm_s=45)
        assert first.interval_s == 45
        assert first.next_poll_at == pytest.approx(time.time() + 45, abs=5)
        assert store.polled(_FEED_URL, changed=True, floor_s=30, rhythm_s=45).interval_s == 30
        slow = store.polled("https://quiet.example/rss", changed=True, floor_s=30, rhythm_s=10)
        assert slow.interval_s == 30
        # No rhythm to go by (a sitemap without dates): the floor, then backing off.
        blank = store.polled("https://blank.example/s.xml", changed=True, floor_s=30)
        assert blank.interval_s == 30
        assert (
            store.polled("https://blank.example/s.xml", changed=False, floor_s=30).interval_s == 60
        )


@pytest.mark.integration
def test_a_quiet_spell_never_stretches_the_interval_past_the_rhythm(services: Settings) -> None:
    with private_redis(services, 9) as client:
        store = FeedStore(client)
        store.polled(_FEED_URL, changed=True, floor_s=30, rhythm_s=120)
        intervals = [
            store.polled(_FEED_URL, changed=False, floor_s=30).interval_s for _ in range(4)
        ]
        # Doubled from 120 it would be 240, 480...: a 304 keeps the rhythm last read.
        assert intervals == [120, 120, 120, 120]
        quieter = store.polled(_FEED_URL, changed=True, floor_s=30, rhythm_s=900)
        assert quieter.interval_s == 60  # halved after a change, now within a longer rhythm
        assert store.get(_FEED_URL).rhythm_s == 900


def test_a_feed_is_due_a_little_before_its_time_to_catch_the_schedules_tick() -> None:
    polled_at = 1_000.0
    state = FeedState(interval_s=30, next_poll_at=polled_at + 30)
    # The next tick of a 30 s schedule comes just before the answer's time plus 30 s.
    assert state.due(polled_at + 29.5)
    assert not state.due(polled_at + 15)


@pytest.mark.integration
def test_a_source_is_crawled_on_schedule_only_when_something_is_due(services: Settings) -> None:
    source = Source.model_validate(
        {"id": "wire", "name": "Wire", "homepage": "https://wire.example/",
         "feeds": [_FEED_URL], "poll_floor_s": 30}
    )  # fmt: skip
    with private_redis(services, 9) as client:
        store = FeedStore(client)
        assert has_due_work(source, store, time.time())  # never read: due now
        store.polled(_FEED_URL, changed=True, floor_s=30, rhythm_s=60)
        assert not has_due_work(source, store, time.time())
        assert has_due_work(source, store, time.time() + 61)
        assert not has_due_work(source, store, time.time() + 30)
        with_sections = source.model_copy(
            update={"sections": [{"url": "https://wire.example/nk", "article_pattern": "/a/"}]}
        )
        assert has_due_work(with_sections, store, time.time())
