"""Workers split by language group, on real Redis and Elasticsearch.

A worker serving only ``other`` (English and the languages without an analyser) enriches an
English article, passes a Japanese one on to ``enrich.ja`` without ever loading the Japanese
dictionary, and a worker of the region's languages started later indexes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsloom.queues import ALL_QUEUES, ENRICH_QUEUE, ENRICH_TASK, language_queue
from newsloom.schema import Article
from newsloom.settings import Settings
from newsloom.state import redis_client
from ops.dev.local.launch import worker_process
from ops.dev.local.supervision import process_tree, wait_until
from tests.ops.test_metrics_crawler import free_port, scrape, value
from tests.workers.private import private_worker
from tests.workers.seeds import publisher_article, seed_article, seed_paths
from workers.app import create_celery
from workers.metrics import MULTIPROC_ENV

pytestmark = pytest.mark.integration

PRIVATE_DB = 11
JAPANESE_PAGE = "jp/YomiuriShimbun_2024_12_03"


def _mapped_files(pid: int) -> str:
    return "\n".join(Path(f"/proc/{each}/maps").read_text() for each in process_tree(pid))


def _indexed(es: Elasticsearch, alias: str, article: Article) -> bool:
    return bool(es.exists(index=alias, id=article.id))


def test_a_worker_passes_on_an_article_of_a_group_it_does_not_serve(
    services: Settings, es: Elasticsearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = seed_article(seed_paths()[0], "routing")
    japanese = publisher_article(JAPANESE_PAGE)
    port = free_port()
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path / "multiproc"))
    with private_worker(
        services, es, PRIVATE_DB, "routing-other",
        worker_languages=("other",), worker_metrics_port=port,
    ) as other:  # fmt: skip
        settings, alias = other.settings, other.settings.index_alias
        celery = create_celery(settings)
        for article in (english, japanese):
            celery.send_task(
                ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE
            )
        with redis_client(settings) as client:
            assert wait_until(lambda: _indexed(es, alias, english), 120)
            assert wait_until(lambda: client.llen(language_queue("ja")) == 1, 60)
            assert not _indexed(es, alias, japanese)
            assert other.process.pid is not None
            assert "unidic" not in _mapped_files(other.process.pid).lower()
            samples = scrape(f"http://127.0.0.1:{port}/metrics")
            forwarded = value(
                samples, "newsloom_worker_articles_forwarded_total", queue="enrich.ja"
            )
            assert forwarded == 1

            region = settings.model_copy(
                update={"worker_languages": ("ko", "ja", "zh", "ru"), "worker_metrics_port": 0}
            )
            with worker_process(region, name="routing-region") as worker:
                worker.start(timeout_s=120)
                assert wait_until(lambda: _indexed(es, alias, japanese), 120)
                assert worker.pid is not None
                assert "unidic" in _mapped_files(worker.pid).lower()  # what the check sees
                assert all(client.llen(queue) == 0 for queue in ALL_QUEUES)
    document = es.get(index=alias, id=japanese.id)["_source"]
    assert document["language"] == "ja"
    assert document["enrichment"]["entities"], "the Japanese article was enriched"
    assert "unidic" in document["enrichment"]["methods"]["entities"]
