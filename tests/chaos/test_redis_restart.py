"""Redis restarted while a worker drains: every article indexed once, nothing quarantined.

The tasks running when Redis goes away fail to reach it (enrichment's shared indexes, the
retry it would publish, the acknowledgement). None of them may delete its message: each is
requeued, or stays unacknowledged in Redis's append-only file and is swept back.
"""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.supervision import wait_until
from tests.chaos.cluster import (
    articles_for,
    assert_indexed_exactly_once,
    chaos_pipeline,
    indexed_count,
    restart_redis,
    send_articles,
    work_in_redis,
)

pytestmark = pytest.mark.integration

ARTICLES = 40
DOWN_S = 10.0


def test_a_redis_restart_mid_drain_loses_nothing(services: Settings, es: Elasticsearch) -> None:
    with chaos_pipeline(services, es, "redis-restart") as pipeline:
        settings, alias = pipeline.settings, pipeline.settings.index_alias
        articles = articles_for("redis-restart", ARTICLES)
        worker = pipeline.worker("redis-restart-worker")
        with worker.process:
            worker.process.start(timeout_s=120)
            send_articles(settings, articles)
            assert wait_until(lambda: indexed_count(es, alias) >= 3, 120)
            restart_redis(settings, DOWN_S)
            assert indexed_count(es, alias) < ARTICLES, "Redis restarted after the drain"
            assert wait_until(lambda: indexed_count(es, alias) >= ARTICLES, 120, interval_s=1.0), (
                f"{indexed_count(es, alias)} of {ARTICLES} indexed 120 s after Redis returned; "
                f"in Redis: {work_in_redis(settings)}"
            )
            assert_indexed_exactly_once(es, alias, articles)
            with redis_client(settings) as client:
                assert quarantine.count(client) == 0
            # The worker lived through it, and recorded the tasks whose outcome Redis missed.
            requeued = worker.metric("newsloom_worker_tasks_total", outcome="requeued")
            redelivered = worker.metric("newsloom_worker_redeliveries_total")
            assert requeued + redelivered >= 1, "no task was caught by the restart"
