"""The broker refuses an article: the crawler retries, then gives the URL back, never fails it.

A real crawl in a child process, on a Redis server of the test's own that the test stops
while the article's page is downloading and starts again after the send's retries ran out.
The crawl must end with the URL fetched a second time and its article in the queue.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import RedisDsn

from crawler.frontier import CrawlState
from crawler.frontier.scheduler import GIVEN_BACK_KEY, QUEUED
from crawler.pipelines.enqueue import SEND_RETRIES_KEY
from newsloom.queues import ENRICH_QUEUE
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.redis_server import start_redis, stop_redis
from ops.dev.local.supervision import wait_until
from tests.chaos.cluster import QUIET
from tests.crawler.children import crawl_report, start_crawl, write_sources
from tests.crawler.robots_server import ARTICLE_HTML, robots_server
from tests.ops.test_metrics_crawler import free_port

pytestmark = pytest.mark.integration

ALLOW_ALL = b"User-agent: *\nAllow: /\n"
DOWNLOAD_S = 3.0
SEND_RETRY_S = 2.0
# Longer than the download and the send's retries together: the give-back meets Redis down too.
REDIS_DOWN_S = DOWNLOAD_S + SEND_RETRY_S + 4


@contextmanager
def own_redis(services: Settings) -> Iterator[Settings]:
    """Settings on a Redis server of this test's own (to stop), removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="newsloom-broker-outage-"))
    settings = Settings.model_validate(
        {
            **services.model_dump(),
            "redis_url": RedisDsn(f"redis://127.0.0.1:{free_port()}/0"),
            "state_dir": root,
            "crawl_send_retry_s": SEND_RETRY_S,
        }
    )
    try:
        start_redis(settings, QUIET)
        yield settings
    finally:
        stop_redis(settings, QUIET)
        shutil.rmtree(root, ignore_errors=True)


def test_an_article_the_broker_refuses_is_fetched_again_not_failed(services: Settings) -> None:
    hits: list[tuple[float, str]] = []
    pages = {"/article": ARTICLE_HTML}
    with (
        own_redis(services) as settings,
        robots_server(
            200, pages, robots_body=ALLOW_ALL, hits=hits, delays={"/article": DOWNLOAD_S}
        ) as base,
    ):
        url = f"{base}/article"
        source = {"id": "outage", "name": "Broker outage", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        job = uuid.uuid4().hex
        sources_file = write_sources(settings, f"outage-{job}", [source])
        child = start_crawl(settings, sources_file, article_urls={"outage": [url]}, job=job)
        assert wait_until(lambda: any(path == "/article" for _, path in hits), 60)
        stop_redis(settings, QUIET)
        time.sleep(REDIS_DOWN_S)
        start_redis(settings, QUIET)
        report = crawl_report(child, timeout_s=120)
        with redis_client(settings) as client:
            entries = CrawlState(client, job, 300).entries()
            queued = client.llen(ENRICH_QUEUE)
    stats = report["stats"]
    assert entries[url]["state"] == "done" and entries[url]["reason"] == QUEUED, entries[url]
    assert [path for _, path in hits].count("/article") == 2, hits
    assert queued == 1, "the article is not in the enrich queue"
    assert report["articles"] == 1
    assert stats.get(GIVEN_BACK_KEY) == 1, stats
    assert stats.get(SEND_RETRIES_KEY, 0) >= 1, stats
    assert not any(key.startswith("newsloom/dropped/item_error") for key in stats), stats
