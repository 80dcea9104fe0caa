"""Lease renewal on a real worker: a task outliving the visibility timeout runs once."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.settings import Settings
from ops.dev.local.supervision import wait_until
from tests.workers.private import private_worker
from tests.workers.seeds import seed_article, seed_paths
from workers.app import create_celery

pytestmark = pytest.mark.integration

PRIVATE_DB = 9
# Renewed every second; without renewal a sweep would hand the message out again after 3 s.
VISIBILITY_S = 3


def test_a_task_longer_than_the_visibility_timeout_is_delivered_once(
    services: Settings, es: Elasticsearch
) -> None:
    with private_worker(
        services, es, PRIVATE_DB, "leases", broker_visibility_timeout_s=VISIBILITY_S
    ) as worker:
        settings = worker.settings
        article = seed_article(seed_paths()[0], "outlives-its-lease")
        # Several visibility timeouts of enrichment.
        slow = article.model_copy(update={"body": (article.body + "\n") * 300})
        sent = create_celery(settings).send_task(
            ENRICH_TASK, args=(slow.model_dump(mode="json"),), queue=ENRICH_QUEUE
        )
        assert wait_until(lambda: bool(es.exists(index=settings.index_alias, id=slow.id)), 180)
        log = worker.process.log_path.read_text(errors="replace")
        runs = log.count(f"Task {ENRICH_TASK}[{sent.id}] received")
        finished = log.split(f"Task {ENRICH_TASK}[{sent.id}] succeeded in ")
        assert len(finished) == 2, log[-3000:]
        took_s = float(finished[1].split("s", 1)[0])
        assert took_s > 2 * VISIBILITY_S, f"enrichment took {took_s:.1f} s: too fast to show"
        assert runs == 1, f"delivered {runs} times while it ran {took_s:.1f} s"
