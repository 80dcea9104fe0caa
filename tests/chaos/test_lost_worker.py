"""A whole worker killed mid-drain (kill -9 of its process group): its messages come back fast.

As an OOM kill or a lost host does it: no child survives to report, nothing is rejected. The
messages it held stay unacknowledged in Redis; with the lease renewal they outlive the
visibility timeout only because nobody renews them, so the next worker gets them within
about that long, not after an hour.
"""

from __future__ import annotations

import time

import pytest
from elasticsearch import Elasticsearch
from prometheus_client import CollectorRegistry

from newsloom import quarantine
from newsloom.queues import ALL_QUEUES, INDEX_TASK
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.supervision import wait_until
from ops.prometheus.queues import QueueDepthCollector
from tests.chaos.cluster import (
    articles_for,
    assert_indexed_exactly_once,
    chaos_pipeline,
    indexed_count,
    kill_process_group,
    send_articles,
)

pytestmark = pytest.mark.integration

ARTICLES = 40
# The bar: a lost worker's messages are back within about 2 minutes (they were
# invisible for the 3,600 s visibility timeout). This includes the next worker's start.
RECOVERY_S = 120


def test_a_killed_workers_messages_are_indexed_by_the_next_worker(
    services: Settings, es: Elasticsearch
) -> None:
    with chaos_pipeline(services, es, "lost-worker") as pipeline:
        settings, alias = pipeline.settings, pipeline.settings.index_alias
        articles = articles_for("lost-worker", ARTICLES)
        first = pipeline.worker("doomed-worker")
        with redis_client(settings) as client:
            with first.process:
                first.process.start(timeout_s=120)
                send_articles(settings, articles)
                # Mid-drain: some indexed, and the worker holds messages it has not finished.
                assert wait_until(lambda: indexed_count(es, alias) >= 3, 120)
                assert wait_until(lambda: client.zcard("unacked_index") >= 1, 30)
                kill_process_group(first.pid)
                killed_at = time.monotonic()
            # Recorded by the exporter: messages held by nobody alive, their lease ageing.
            exported = CollectorRegistry()
            exported.register(QueueDepthCollector(client, ALL_QUEUES))
            held = int(exported.get_sample_value("newsloom_queue_unacked_messages") or 0)
            assert held >= 1, "the kill left nothing held: it did not hit the worker mid-task"
            assert indexed_count(es, alias) < ARTICLES
            second = pipeline.worker("next-worker")
            with second.process:
                second.process.start(timeout_s=120)
                assert wait_until(
                    lambda: indexed_count(es, alias) >= ARTICLES, RECOVERY_S, interval_s=1.0
                ), f"{indexed_count(es, alias)} of {ARTICLES} indexed {RECOVERY_S} s after the kill"
                recovered_s = time.monotonic() - killed_at
                assert_indexed_exactly_once(es, alias, articles)
                assert quarantine.count(client) == 0
                # The last documents are searchable a moment before their messages are acked.
                assert wait_until(
                    lambda: exported.get_sample_value("newsloom_queue_unacked_messages") == 0, 30
                )
                assert (
                    second.metric("newsloom_worker_tasks_total", task=INDEX_TASK, outcome="success")
                    >= 1
                )
                # Recorded by the next worker: every held message was swept back once, and
                # each ran again as a redelivery.
                assert second.metric("newsloom_worker_messages_restored_total") == held
                assert second.metric("newsloom_worker_redeliveries_total") >= held
        print(f"lost worker: {held} held messages back, all indexed {recovered_s:.0f} s after kill")
