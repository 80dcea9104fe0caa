"""SIGTERM during work (a deploy, ``docker stop``): running tasks finish, the rest go back.

The worker's warm shutdown lets running tasks end and returns the messages it had taken but
not started to their queues, so nothing waits out a visibility timeout and the next worker
indexes the rest, each article once.
"""

from __future__ import annotations

import os
import signal

import pytest
from elasticsearch import Elasticsearch
from prometheus_client import CollectorRegistry

from newsloom import quarantine
from newsloom.queues import ALL_QUEUES
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.supervision import wait_until
from ops.prometheus.queues import QueueDepthCollector
from tests.chaos.cluster import (
    articles_for,
    assert_indexed_exactly_once,
    chaos_pipeline,
    exited,
    indexed_count,
    send_articles,
)

pytestmark = pytest.mark.integration

ARTICLES = 30


def test_sigterm_mid_drain_hands_the_rest_back(services: Settings, es: Elasticsearch) -> None:
    with chaos_pipeline(services, es, "sigterm") as pipeline:
        settings, alias = pipeline.settings, pipeline.settings.index_alias
        articles = articles_for("sigterm", ARTICLES)
        first = pipeline.worker("stopped-worker")
        with redis_client(settings) as client:
            registry = CollectorRegistry()
            registry.register(QueueDepthCollector(client, ALL_QUEUES))
            with first.process:
                first.process.start(timeout_s=120)
                send_articles(settings, articles)
                assert wait_until(lambda: indexed_count(es, alias) >= 3, 120)
                os.kill(first.pid, signal.SIGTERM)
                assert wait_until(lambda: exited(first.pid), 60), "no warm shutdown"
            # Recorded by the exporter: nothing held by the stopped worker, and every article
            # not indexed yet waits in a queue (at least once: one whose task ended as the
            # shutdown began may wait too; indexing it again changes nothing).
            assert registry.get_sample_value("newsloom_queue_unacked_messages") == 0
            waiting = sum(
                registry.get_sample_value("newsloom_queue_depth", {"queue": queue}) or 0
                for queue in ALL_QUEUES
            )
            done = indexed_count(es, alias)
            assert done < ARTICLES, "the worker had finished before SIGTERM"
            assert waiting >= ARTICLES - done
            second = pipeline.worker("next-worker")
            with second.process:
                second.process.start(timeout_s=120)
                assert wait_until(lambda: indexed_count(es, alias) >= ARTICLES, 120, interval_s=1.0)
                assert_indexed_exactly_once(es, alias, articles)
                assert quarantine.count(client) == 0
