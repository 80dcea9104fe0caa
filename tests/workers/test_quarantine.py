"""The quarantine with a real worker process and real Redis: poison in, reason kept, replay."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import Celery
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article
from newsloom.settings import Settings
from newsloom.state import KEY_PREFIX, redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.supervision import wait_until
from tests.conftest import run_cli
from workers.app import create_celery
from workers.base import MAX_DELIVERIES

pytestmark = pytest.mark.integration

POISON: dict[str, Any] = {"title": "a payload without a URL, source or body"}


@pytest.fixture(scope="module")
def client(services: Settings) -> Iterator[redis.Redis]:
    """A Redis client on the session's server."""
    with redis_client(services) as connection:
        yield connection


@pytest.fixture(scope="module")
def celery(services: Settings) -> Celery:
    """A producer bound to the session's broker."""
    return create_celery(services)


def _wait_quarantined(client: redis.Redis, task_id: str) -> quarantine.QuarantineEntry:
    assert wait_until(lambda: quarantine.get(client, task_id) is not None, 60), (
        f"task {task_id} never reached the quarantine"
    )
    entry = quarantine.get(client, task_id)
    assert entry is not None
    return entry


def _quarantined_poison(client: redis.Redis, celery: Celery) -> quarantine.QuarantineEntry:
    result = celery.send_task(ENRICH_TASK, args=(POISON,), queue=ENRICH_QUEUE)
    return _wait_quarantined(client, str(result.id))


def test_poison_payload_lands_in_quarantine_with_reason(
    client: redis.Redis, celery: Celery, worker: BackgroundProcess
) -> None:
    entry = _quarantined_poison(client, celery)
    assert entry.task == ENRICH_TASK
    assert entry.queue == ENRICH_QUEUE
    assert entry.args == [POISON]
    assert entry.error_type == "ValidationError"
    assert "canonical_url" in entry.reason  # pydantic names the missing field
    # A permanent error is not retried: one delivery, straight to the quarantine.
    assert entry.deliveries == 1


def test_message_delivered_too_often_is_quarantined_unrun(
    client: redis.Redis, celery: Celery, worker: BackgroundProcess
) -> None:
    task_id = str(uuid.uuid4())
    # As if the message had already killed MAX_DELIVERIES workers.
    client.set(f"{KEY_PREFIX}:deliveries:{task_id}", MAX_DELIVERIES)
    celery.send_task(ENRICH_TASK, args=(POISON,), queue=ENRICH_QUEUE, task_id=task_id)
    entry = _wait_quarantined(client, task_id)
    assert entry.error_type == "DeliveryLimitError"
    assert entry.deliveries == MAX_DELIVERIES + 1


def test_cli_replay_requeues_a_poison_message_which_fails_again(
    settings: Settings, client: redis.Redis, celery: Celery, worker: BackgroundProcess
) -> None:
    entry = _quarantined_poison(client, celery)
    output = run_cli(settings, "quarantine", "replay", entry.id)
    assert f"replayed {entry.id} as " in output
    new_id = output.split(f"replayed {entry.id} as ")[1].split()[0]
    assert quarantine.get(client, entry.id) is None
    again = _wait_quarantined(client, new_id)
    assert again.args == entry.args
    assert again.reason == entry.reason


def test_replay_of_a_fixed_message_reaches_the_index(
    settings: Settings,
    client: redis.Redis,
    celery: Celery,
    es: Elasticsearch,
    worker: BackgroundProcess,
) -> None:
    # An article that failed earlier (say, on a bug since fixed) is valid now: replaying it
    # must carry it through enrichment into the index.
    article = Article(
        url="http://127.0.0.1/replayed",
        canonical_url=f"http://127.0.0.1/replayed/{uuid.uuid4()}",
        source_id="replay-test",
        source_name="Replay test",
        title="Quarantined article about Pyongyang",
        body="Kim Jong-un met Vladimir Putin in Moscow to discuss missile cooperation.",
    )
    entry = quarantine.QuarantineEntry(
        id=str(uuid.uuid4()),
        task=ENRICH_TASK,
        queue=ENRICH_QUEUE,
        args=[article.model_dump(mode="json")],
        reason="RuntimeError: a bug fixed since",
        error_type="RuntimeError",
    )
    quarantine.add(client, entry)
    assert quarantine.replay(client, celery, entry.id) is not None
    assert quarantine.get(client, entry.id) is None

    def indexed() -> bool:
        return bool(es.exists(index=settings.index_alias, id=article.id))

    assert wait_until(indexed, 60), "the replayed article never reached Elasticsearch"
    document = es.get(index=settings.index_alias, id=article.id)["_source"]
    assert document["enrichment"]["stage_versions"], "replayed article was not enriched"


def test_cli_lists_shows_and_purges(
    settings: Settings, client: redis.Redis, celery: Celery, worker: BackgroundProcess
) -> None:
    entry = _quarantined_poison(client, celery)
    listing = run_cli(settings, "quarantine", "list", "--limit", "1000")
    assert entry.id in listing
    assert "ValidationError" in listing
    shown = json.loads(run_cli(settings, "quarantine", "show", entry.id))
    assert shown["args"] == [POISON]
    assert shown["reason"] == entry.reason
    before = quarantine.count(client)
    assert f"purged {before} message(s)" in run_cli(settings, "quarantine", "purge", "--yes")
    assert quarantine.count(client) == 0
