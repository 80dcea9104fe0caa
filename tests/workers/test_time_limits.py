"""Time limits on a real worker: a task that runs too long ends in the quarantine."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.supervision import wait_until
from tests.workers.private import private_worker
from tests.workers.seeds import seed_article, seed_paths
from workers.app import create_celery

pytestmark = pytest.mark.integration

PRIVATE_DB = 6


def test_a_task_over_its_time_limit_is_quarantined_with_the_reason(
    services: Settings, es: Elasticsearch
) -> None:
    # A 2 s hard limit gives a 1 s soft one; a 3 MB page takes far longer than that.
    with private_worker(services, es, PRIVATE_DB, "time-limit", task_time_limit_s=2) as worker:
        settings = worker.settings
        article = seed_article(seed_paths()[1], "huge-page")
        huge = article.model_copy(update={"body": (article.body + "\n") * 750})
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
