"""Garbage on each queue: quarantined with its reason, counted, and the worker keeps working."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import redis
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import ALL_QUEUES
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.supervision import wait_until
from tests.chaos.cluster import (
    articles_for,
    assert_indexed_exactly_once,
    chaos_pipeline,
    indexed_count,
    send_articles,
)
from workers.app import create_celery
from workers.unreadable import (
    NOT_A_MESSAGE,
    NOT_JSON,
    UNDECODABLE_BODY,
    UNKNOWN_FORMAT,
    UNKNOWN_TASK,
)

pytestmark = pytest.mark.integration

_TEMPLATE_QUEUE = "chaos-garbage-template"


def _envelope(client: redis.Redis, settings: Settings, queue: str) -> dict[str, Any]:
    """A real task message as kombu stores it, addressed to ``queue`` (not run: no consumer)."""
    with create_celery(settings) as celery:
        celery.send_task("workers.enrich_article", args=({},), queue=_TEMPLATE_QUEUE)
    raw = client.rpop(_TEMPLATE_QUEUE)
    assert isinstance(raw, str)
    envelope: dict[str, Any] = json.loads(raw)
    envelope["properties"]["delivery_info"]["routing_key"] = queue
    return envelope


def _with_body(body: bytes) -> Callable[[dict[str, Any]], None]:
    def change(envelope: dict[str, Any]) -> None:
        envelope["body"] = base64.b64encode(body).decode()

    return change


def _set(path: tuple[str, ...], new: Any) -> Callable[[dict[str, Any]], None]:
    def change(envelope: dict[str, Any]) -> None:
        target = envelope
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = new

    return change


def _drop_task_header(envelope: dict[str, Any]) -> None:
    envelope["headers"].pop("task")


# Items that are not a kombu message at all: what the transport reads off the list.
RAW_ITEMS: list[tuple[bytes, str]] = [
    (b"not json {", NOT_JSON),
    (b"\xff\xfe\x00\x9c binary", NOT_JSON),
    (b'{"hello": "world"}', NOT_A_MESSAGE),
    (b"[1, 2, 3]", NOT_A_MESSAGE),
    (b'"a string"', NOT_A_MESSAGE),
]
# Envelopes that are messages, but not a task this worker can run.
BAD_MESSAGES: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_with_body(b"{not json"), UNDECODABLE_BODY),
    (_set(("body",), "%%% not base64 %%%"), NOT_A_MESSAGE),
    (_set(("content-type",), "application/x-python-serialize"), UNDECODABLE_BODY),
    (_set(("headers", "task"), "workers.no_such_task"), UNKNOWN_TASK),
    (_drop_task_header, UNKNOWN_FORMAT),
]


def test_garbage_on_each_queue_is_quarantined_and_the_worker_lives(
    services: Settings, es: Elasticsearch
) -> None:
    with chaos_pipeline(services, es, "garbage") as pipeline:
        settings = pipeline.settings
        worker = pipeline.worker("garbage-worker")
        with worker.process, redis_client(settings) as client:
            worker.process.start(timeout_s=120)
            expected: dict[tuple[str, str], int] = {}
            for queue in ALL_QUEUES:
                for item, reason in RAW_ITEMS:
                    client.lpush(queue, item)
                    expected[queue, reason] = expected.get((queue, reason), 0) + 1
                for change, reason in BAD_MESSAGES:
                    envelope = _envelope(client, settings, queue)
                    change(envelope)
                    client.lpush(queue, json.dumps(envelope))
                    expected[queue, reason] = expected.get((queue, reason), 0) + 1
            total = sum(expected.values())
            assert wait_until(lambda: quarantine.count(client) >= total, 60), (
                f"{quarantine.count(client)} of {total} garbage messages quarantined"
            )
            # The worker survived all of it and still indexes real work.
            articles = articles_for("garbage", 3)
            send_articles(settings, articles)
            assert wait_until(lambda: indexed_count(es, settings.index_alias) >= 3, 120)
            assert worker.process.pid is not None
            assert_indexed_exactly_once(es, settings.index_alias, articles)

            entries = list(quarantine.entries(client))
            found: dict[tuple[str, str], int] = {}
            for entry in entries:
                reason = entry.reason.split(":", 1)[0]
                found[entry.queue, reason] = found.get((entry.queue, reason), 0) + 1
                assert entry.raw is not None and not entry.replayable
            assert found == expected
            for (queue, reason), count in expected.items():
                counted = worker.metric(
                    "newsloom_worker_unreadable_messages_total", queue=queue, reason=reason
                )
                assert counted == count, (queue, reason)
            # Nothing left behind: the queues are empty, nothing is held unacknowledged.
            assert all(client.llen(queue) == 0 for queue in ALL_QUEUES)
            assert client.zcard("unacked_index") == 0
