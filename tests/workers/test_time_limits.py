"""Time limits on a real worker: a task that runs too long ends in the quarantine.

The soft limit raises inside the task; the hard one kills the pool child, and the worker's
main process must still quarantine the message before acknowledging it.
"""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import ALL_QUEUES, ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.supervision import wait_until
from tests.workers.private import private_worker
from tests.workers.seeds import seed_article, seed_paths
from workers.app import create_celery

pytestmark = pytest.mark.integration

PRIVATE_DB = 6
# Long enough for a cold child to load its models and enrich an ordinary article, far too
# short for a page 750 times the seed's length (about a minute).
HARD_LIMIT_S = 15


def _huge(name: str) -> Article:
    article = seed_article(seed_paths()[1], name)
    return article.model_copy(update={"body": (article.body + "\n") * 750})


def test_a_task_over_its_time_limit_is_quarantined_with_the_reason(
    services: Settings, es: Elasticsearch
) -> None:
    # A 2 s hard limit gives a 1 s soft one; a 3 MB page takes far longer than that.
    with private_worker(services, es, PRIVATE_DB, "time-limit", task_time_limit_s=2) as worker:
        settings = worker.settings
        huge = _huge("huge-page")
        sent = create_celery(settings).send_task(
            ENRICH_TASK, args=(huge.model_dump(mode="json"),), queue=ENRICH_QUEUE
        )
        with redis_client(settings) as client:
            assert wait_until(lambda: quarantine.get(client, str(sent.id)) is not None, 120)
            entry = quarantine.get(client, str(sent.id))
        assert entry is not None
        assert entry.error_type in {"SoftTimeLimitExceeded", "TimeLimitExceeded"}, entry.reason
        assert entry.article_id == huge.id
        assert not es.exists(index=settings.index_alias, id=huge.id)


def test_a_task_killed_by_the_hard_time_limit_is_quarantined_and_nothing_is_lost(
    services: Settings, es: Elasticsearch
) -> None:
    # No soft limit: the task is never asked to stop, the pool child is killed.
    with private_worker(
        services, es, PRIVATE_DB, "hard-limit",
        task_time_limit_s=HARD_LIMIT_S, task_soft_time_limit_s=HARD_LIMIT_S,
    ) as worker:  # fmt: skip
        settings, alias = worker.settings, worker.settings.index_alias
        huge = _huge("hard-limit")
        ordinary = [seed_article(path, "hard-limit-ordinary") for path in seed_paths()[:3]]
        celery = create_celery(settings)
        killed = celery.send_task(
            ENRICH_TASK, args=(huge.model_dump(mode="json"),), queue=ENRICH_QUEUE
        )
        for article in ordinary:
            celery.send_task(
                ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE
            )
        with redis_client(settings) as client:
            assert wait_until(
                lambda: quarantine.get(client, str(killed.id)) is not None, HARD_LIMIT_S + 120
            ), worker.process.log_path.read_text(errors="replace")[-3000:]
            entry = quarantine.get(client, str(killed.id))
            assert entry is not None
            assert entry.error_type == "TimeLimitExceeded", entry.reason
            assert "hard time limit" in entry.reason
            assert entry.article_id == huge.id and entry.queue == ENRICH_QUEUE
            assert entry.replayable

            def ordinary_indexed() -> bool:
                return all(es.exists(index=alias, id=article.id) for article in ordinary)

            # The worker lives on (a new child) and the other messages are all done.
            assert wait_until(ordinary_indexed, 120)
            assert wait_until(lambda: client.hlen("unacked") == 0, 30)
            assert all(client.llen(queue) == 0 for queue in ALL_QUEUES)
            assert quarantine.count(client) == 1
        assert not es.exists(index=alias, id=huge.id)
        log = worker.process.log_path.read_text(errors="replace")
        assert "Hard time limit" in log and "SoftTimeLimitExceeded" not in log, log[-3000:]
