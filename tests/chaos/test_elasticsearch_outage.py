"""Elasticsearch stopped for longer than the old retries lasted: all indexed, none quarantined.

The old policy gave up after 8 retries (~110 s with its backoff) and quarantined the article.
Here the backoff is capped short so the test stays short, and the outage outlasts 8 retries
at that cap several times over: what must hold is that retries never give up on a transient
error, and resume within about one cap of Elasticsearch's return.
"""

from __future__ import annotations

import time

import pytest
from prometheus_client import CollectorRegistry

from newsloom import quarantine
from newsloom.queues import ALL_QUEUES, INDEX_QUEUE, INDEX_TASK
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.elasticsearch_server import start_elasticsearch, stop_elasticsearch
from ops.dev.local.supervision import wait_until
from ops.prometheus.queues import QueueDepthCollector
from tests.chaos.cluster import (
    QUIET,
    articles_for,
    assert_indexed_exactly_once,
    chaos_pipeline,
    indexed_count,
    private_elasticsearch,
    send_articles,
)

pytestmark = pytest.mark.integration

ARTICLES = 20
BACKOFF_MAX_S = 3.0
DOWN_S = 30.0
# What the old base task allowed before quarantining.
OLD_MAX_RETRIES = 8


def test_an_elasticsearch_outage_ends_with_everything_indexed(services: Settings) -> None:
    # At the cap every time, the old 8 retries would have been used up well within the outage.
    assert OLD_MAX_RETRIES * BACKOFF_MAX_S < DOWN_S
    with (
        private_elasticsearch(services) as (es_settings, es),
        chaos_pipeline(es_settings, es, "es-outage", retry_backoff_max_s=BACKOFF_MAX_S) as pipeline,
    ):
        settings, alias = pipeline.settings, pipeline.settings.index_alias
        articles = articles_for("es-outage", ARTICLES)
        worker = pipeline.worker("es-outage-worker")
        with worker.process, redis_client(settings) as client:
            worker.process.start(timeout_s=120)
            send_articles(settings, articles[:2])
            assert wait_until(lambda: indexed_count(es, alias) >= 2, 120)
            stop_elasticsearch(es_settings, QUIET)
            send_articles(settings, articles[2:])
            time.sleep(DOWN_S)
            assert quarantine.count(client) == 0, list(quarantine.entries(client))
            # The exporter shows the work waiting on retries, and for how long it has failed.
            exported = CollectorRegistry()
            exported.register(QueueDepthCollector(client, ALL_QUEUES))
            index = {"queue": INDEX_QUEUE}
            assert (exported.get_sample_value("newsloom_queue_retrying_messages", index) or 0) >= 1
            age = exported.get_sample_value("newsloom_queue_retrying_oldest_age_seconds", index)
            assert age is not None and age > DOWN_S / 2, age
            assert (exported.get_sample_value("newsloom_queue_unacked_messages") or 0) >= 1
            start_elasticsearch(es_settings, QUIET)
            back_at = time.monotonic()

            def all_indexed() -> bool:
                return indexed_count(es, alias) >= ARTICLES

            assert wait_until(all_indexed, BACKOFF_MAX_S + 60, interval_s=1.0), (
                f"{indexed_count(es, alias)} of {ARTICLES} indexed after Elasticsearch returned"
            )
            recovered_s = time.monotonic() - back_at
            assert_indexed_exactly_once(es, alias, articles)
            assert quarantine.count(client) == 0
            retried = worker.metric("newsloom_worker_tasks_total", task=INDEX_TASK, outcome="retry")
            # More retries than the old policy allowed, and still nothing given up.
            assert retried > OLD_MAX_RETRIES, retried
            assert worker.metric("newsloom_worker_tasks_total", outcome="failure") == 0
            assert exported.get_sample_value("newsloom_queue_retrying_messages", index) == 0
    print(
        f"elasticsearch outage: {retried:.0f} retries, all indexed {recovered_s:.0f} s after return"
    )
