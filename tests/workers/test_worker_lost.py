"""At-least-once delivery on a real worker: a child killed mid-task loses no article."""

from __future__ import annotations

import os
import signal

import pytest
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.settings import Settings
from newsloom.state import KEY_PREFIX, redis_client
from ops.dev.local.supervision import child_pids, wait_until
from tests.workers.private import private_worker
from tests.workers.seeds import seed_article, seed_paths
from workers.app import create_celery

pytestmark = pytest.mark.integration

PRIVATE_DB = 8


def test_a_message_whose_worker_dies_is_delivered_again_and_indexed(
    services: Settings, es: Elasticsearch
) -> None:
    with private_worker(services, es, PRIVATE_DB, "worker-lost") as worker:
        settings, main_pid = worker.settings, worker.process.pid
        assert main_pid is not None
        article = seed_article(seed_paths()[0], "killed-mid-task")
        # Long enough (seconds) to be killed while it runs.
        slow = article.model_copy(update={"body": (article.body + "\n") * 300})
        sent = create_celery(settings).send_task(
            ENRICH_TASK, args=(slow.model_dump(mode="json"),), queue=ENRICH_QUEUE
        )
        deliveries = f"{KEY_PREFIX}:deliveries:{sent.id}"
        with redis_client(settings) as client:
            # The base task counts each delivery as it starts: then it is running.
            assert wait_until(lambda: client.exists(deliveries) == 1, 60)
            for child in child_pids(main_pid):
                os.kill(child, signal.SIGKILL)

            def indexed() -> bool:
                return bool(es.exists(index=settings.index_alias, id=slow.id))

            assert wait_until(indexed, 180), "the article was lost with the worker"
            assert quarantine.get(client, str(sent.id)) is None
        # The kill hit the running task (not an idle child after it had finished).
        log = worker.process.log_path.read_text(errors="replace")
        assert "WorkerLostError" in log, log[-2000:]
