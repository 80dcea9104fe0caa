"""WebSub: hub discovery, signatures, SSRF-checked subscription, and a push made searchable.

The integration test runs every part for real on loopback: the wire site and its hub, the
receiver (``newsloom websub serve``), a crawl worker and an enrichment worker, Redis and
Elasticsearch.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import feedparser
import httpx
import pytest
from elasticsearch import Elasticsearch
from pydantic import HttpUrl

from crawler.urls import canonical_url
from crawler.websub.discovery import advertised_hub
from crawler.websub.receiver import pushed_urls, signature_valid
from crawler.websub.subscriber import HubRefusedError, subscribe
from crawler.websub.subscriptions import Subscription, SubscriptionStore
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.launch import (
    crawl_worker_process,
    websub_receiver_process,
    websub_wire_process,
)
from ops.dev.local.supervision import wait_until
from ops.dev.websub_wire.app import write_sources
from tests.conftest import run_cli
from tests.ops.test_metrics_crawler import free_port, scrape, value
from tests.workers.private import private_worker

PRIVATE_DB = 10
_RSS = (
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>w</title>'
    "{links}<item><link>https://wire.example/a/1</link></item>"
    "<item><link>/a/2</link></item><item><link>https://elsewhere.example/x</link></item>"
    "</channel></rss>"
)


def _feed(links: str = "") -> feedparser.FeedParserDict:
    return feedparser.parse(_RSS.format(links=links).encode())


def test_a_hub_is_read_from_the_feed_or_from_link_headers() -> None:
    advert = advertised_hub(
        _feed('<atom:link rel="hub" href="https://hub.example/"/>'
              '<atom:link rel="self" href="https://wire.example/rss"/>'),
        [], "https://wire.example/feed?x=1",
    )  # fmt: skip
    assert advert is not None
    assert (advert.hub, advert.topic) == ("https://hub.example/", "https://wire.example/rss")
    # Headers win, and without a self link the fetched URL is the topic.
    headers = ['<https://h2.example/hub>; rel="hub", <https://other.example/>; rel="alternate"']
    advert = advertised_hub(
        _feed('<atom:link rel="hub" href="https://hub.example/"/>'), headers,
        "https://wire.example/feed",
    )  # fmt: skip
    assert advert is not None
    assert (advert.hub, advert.topic) == ("https://h2.example/hub", "https://wire.example/feed")
    assert advertised_hub(_feed(), [], "https://wire.example/feed") is None
    assert (
        advertised_hub(_feed('<atom:link rel="hub" href="ftp://hub.example/"/>'), [], "x") is None
    )


def test_only_a_delivery_signed_with_the_secret_is_trusted() -> None:
    body = b"<rss/>"
    for method in ("sha1", "sha256", "sha512"):
        digest = hmac.new(b"s3cret", body, method).hexdigest()
        assert signature_valid("s3cret", body, f"{method}={digest}")
        assert not signature_valid("other", body, f"{method}={digest}")
        assert not signature_valid("s3cret", body + b" ", f"{method}={digest}")
    assert not signature_valid("s3cret", body, None)
    assert not signature_valid("s3cret", body, "md5=" + hashlib.md5(body).hexdigest())  # noqa: S324


def test_pushed_items_are_kept_on_the_source_hosts_only() -> None:
    body = _RSS.format(links="").encode()
    urls = pushed_urls(body, "https://wire.example/rss", ["wire.example"])
    assert urls == ["https://wire.example/a/1", "https://wire.example/a/2"]


def test_a_hub_on_a_private_address_is_refused_unless_it_is_the_sources_own() -> None:
    subscription = Subscription(
        id="x", source_id="wire", topic="https://wire.example/rss",
        hub="http://127.0.0.1:9/hub", secret="s", state="advertised",  # noqa: S106
    )  # fmt: skip
    with pytest.raises(HubRefusedError, match="loopback"):
        subscribe(subscription, "http://127.0.0.1:1/", 60, frozenset(), "test")
    metadata = subscription.__class__(**{**subscription.__dict__, "hub": "http://169.254.169.254/"})
    with pytest.raises(HubRefusedError, match="link_local"):
        subscribe(metadata, "http://127.0.0.1:1/", 60, frozenset(), "test")


def _searchable(es: Elasticsearch, alias: str, url: str) -> bool:
    # No forced refresh: searchable as an analyst's search would find it.
    return int(es.count(index=alias, query={"term": {"canonical_url": url}})["count"]) > 0


@pytest.mark.integration
def test_a_pushed_article_is_searchable_within_seconds(
    services: Settings, es: Elasticsearch
) -> None:
    receiver_port = free_port()
    with websub_wire_process(services) as wire:
        origin = wire.start()["origin"]
        updates = {
            "sources_file": write_sources(services.state_dir, origin),
            "websub_callback_url": HttpUrl(f"http://127.0.0.1:{receiver_port}"),
        }
        with private_worker(services, es, PRIVATE_DB, "websub", **updates) as enricher:
            settings = enricher.settings
            # The first, ordinary crawl reads the feed and finds its hub.
            run_cli(settings, "crawl", "wire", "--wait")
            store = SubscriptionStore(redis_client(settings))
            (subscription,) = store.all()
            assert subscription.hub == f"{origin}/hub"
            assert subscription.state == "advertised"
            with (
                crawl_worker_process(settings) as crawl_worker,
                websub_receiver_process(settings, receiver_port) as receiver,
            ):
                crawl_worker.start(timeout_s=120)
                receiver.start(timeout_s=60)
                assert wait_until(lambda: store.all()[0].state == "active", 30), (
                    receiver.log_path.read_text()
                )
                url = httpx.post(f"{origin}/publish", timeout=30).text
                published = time.monotonic()
                assert wait_until(
                    lambda: _searchable(es, settings.index_alias, canonical_url(url)), 90
                ), crawl_worker.log_path.read_text()
                print(f"push -> searchable: {time.monotonic() - published:.1f} s")
                # A forged delivery is acknowledged and ignored.
                callback = f"http://127.0.0.1:{receiver_port}/websub/{subscription.id}"
                forged = httpx.post(
                    callback, content=b"<rss/>", headers={"X-Hub-Signature": "sha256=00"}
                )
                assert forged.status_code == 202
                # Nobody may confirm an unsubscription, or a topic we never asked for.
                for params in (
                    {"hub.mode": "unsubscribe", "hub.topic": subscription.topic,
                     "hub.challenge": "c"},
                    {"hub.mode": "subscribe", "hub.topic": "http://evil.example/",
                     "hub.challenge": "c"},
                ):  # fmt: skip
                    assert httpx.get(callback, params=params).status_code == 404
                samples = scrape(f"http://127.0.0.1:{receiver_port}/metrics")
                assert value(samples, "newsloom_websub_deliveries_total", outcome="crawled") == 1
                assert (
                    value(samples, "newsloom_websub_deliveries_total", outcome="bad_signature") == 1
                )
                assert (
                    value(samples, "newsloom_websub_verifications_total", outcome="verified") == 1
                )
            es.indices.refresh(index=settings.index_alias)
            assert int(es.count(index=settings.index_alias)["count"]) == 2  # each article once
