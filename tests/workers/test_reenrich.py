"""Provenance: stage versions recorded on articles, and re-enrichment of stale ones."""

from __future__ import annotations

import uuid

import pytest
from elasticsearch import Elasticsearch

from newsloom.schema import Enrichment
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.supervision import wait_until
from search.indexer import index_article
from tests.conftest import run_cli
from tests.workers.seeds import seed_article, seed_paths
from workers.enrichment.pipeline import enrich
from workers.reenrich import current_versions, stale_documents


def test_current_versions_name_every_stage_the_pipeline_records() -> None:
    recorded = enrich(seed_article(seed_paths()[0])).enrichment.stage_versions
    expected = current_versions()
    assert {name: expected[name] for name in recorded} == recorded
    # The two stages with state in Redis run in the task, after the pipeline.
    assert set(expected) - set(recorded) == {"duplicates", "stories"}


@pytest.mark.integration
def test_stale_article_is_reenriched_in_place(
    settings: Settings, es: Elasticsearch, worker: BackgroundProcess
) -> None:
    article = seed_article(seed_paths()[1], f"stale-{uuid.uuid4().hex[:8]}")
    stale = article.model_copy(
        update={"enrichment": Enrichment(stage_versions={"counts": "counts-0"})}
    )
    assert index_article(es, settings.index_alias, stale)
    es.indices.refresh(index=settings.index_alias)

    output = run_cli(settings, "reenrich")
    queued = int(output.split("queued ")[-1].split()[0])
    assert queued >= 1, output

    def reenriched() -> bool:
        source = es.get(index=settings.index_alias, id=article.id)["_source"]
        return bool(source["enrichment"]["stage_versions"] == current_versions())

    assert wait_until(reenriched, 90), "the stale article was not re-enriched"
    source = es.get(index=settings.index_alias, id=article.id)["_source"]
    assert "Liu Jianchao" in {entity["name"] for entity in source["enrichment"]["entities"]}
    es.indices.refresh(index=settings.index_alias)
    assert article.id not in {doc["id"] for doc in stale_documents(es, settings.index_alias)}
    assert (
        es.count(index=settings.index_alias, query={"ids": {"values": [article.id]}})["count"] == 1
    )
