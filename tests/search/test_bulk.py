"""The bulk indexer against the real server: every item checked, retries, versions, failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import INDEX_QUEUE, INDEX_TASK
from newsloom.schema import Article
from newsloom.settings import Settings
from newsloom.state import redis_client
from search.aliases import write_alias
from search.bulk import BulkFailure, bulk_index, document_version, index_action
from search.dead_letters import entry_id, quarantine_sink
from search.templates import ensure_index
from tests.search.corpus_articles import corpus_articles, variants


@pytest.fixture(scope="module")
def articles(settings: Settings) -> list[Article]:
    found = corpus_articles(settings.shared_dir)
    assert len(found) > 50, "the shared publisher corpus is missing; see ../shared/corpus"
    return found


@pytest.fixture
def alias(es: Elasticsearch, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh alias of this test's own, so tests never see each other's documents."""
    name = f"bulk{request.node.name.removeprefix('test_').replace('_', '')[:20].lower()}"
    ensure_index(es, name)
    yield name
    es.indices.delete(index=f"{name}-*")


def test_index_action_is_versioned_by_fetch_time(articles: list[Article]) -> None:
    document = articles[0].model_dump(mode="json")
    action = index_action("x-write", document)
    assert action["_id"] == articles[0].id
    assert action["version_type"] == "external_gte"
    assert action["version"] == document_version(articles[0].fetched_at)


@pytest.mark.integration
def test_every_article_is_indexed_and_counted(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    progress: list[int] = []
    report = bulk_index(
        es,
        write_alias(alias),
        articles,
        chunk_size=40,
        refresh=True,
        on_progress=lambda r: progress.append(r.total),
    )
    assert (report.indexed, report.stale, report.failed) == (len(articles), 0, 0)
    assert progress[-1] == len(articles)
    assert es.count(index=alias)["count"] == len(articles)


@pytest.mark.integration
def test_older_copy_never_overwrites_newer(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    newer = articles[0].model_copy(update={"title": "Newer title"})
    older = newer.model_copy(
        update={"title": "Older title", "fetched_at": newer.fetched_at - timedelta(hours=1)}
    )
    assert bulk_index(es, write_alias(alias), [newer]).indexed == 1
    report = bulk_index(es, write_alias(alias), [older], refresh=True)
    assert (report.indexed, report.stale, report.failed) == (0, 1, 0)
    assert es.get(index=alias, id=newer.id)["_source"]["title"] == "Newer title"
    # The same version again is a harmless rewrite (a task run twice), not a conflict.
    assert bulk_index(es, write_alias(alias), [newer]).indexed == 1


@pytest.mark.integration
def test_permanent_failure_reaches_the_hook_with_reason_and_document(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    broken: dict[str, Any] = articles[1].model_dump(mode="json") | {"published_at": "yesterday"}
    failures: list[BulkFailure] = []
    report = bulk_index(
        es,
        write_alias(alias),
        [articles[0], broken, articles[2]],
        on_failure=failures.append,
        refresh=True,
    )
    assert (report.indexed, report.failed) == (2, 1)
    assert [f.article_id for f in failures] == [articles[1].id]
    assert failures[0].status == 400
    assert "published_at" in failures[0].reason
    assert failures[0].document == broken
    assert es.count(index=alias)["count"] == 2


@pytest.mark.integration
def test_throttled_bulk_is_retried_until_it_succeeds(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    # A tiny in-flight-requests breaker makes the real server answer bulk requests with 429,
    # the way a node under indexing pressure does; lifting it lets the retries through.
    breaker = "network.breaker.inflight_requests.limit"
    es.cluster.put_settings(transient={breaker: "1kb"})
    lifted = threading.Timer(2.5, lambda: es.cluster.put_settings(transient={breaker: None}))
    started = time.monotonic()
    lifted.start()
    try:
        report = bulk_index(
            es, write_alias(alias), list(variants(articles, 300)), initial_backoff_s=0.5
        )
    finally:
        lifted.join()
        es.cluster.put_settings(transient={breaker: None})
    assert time.monotonic() - started >= 2.5, "the breaker never refused a bulk request"
    assert (report.indexed, report.failed) == (300, 0)
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 300


@pytest.mark.integration
def test_permanent_failures_land_in_the_quarantine_ready_to_replay(
    services: Settings, es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    client = redis_client(services)
    broken: dict[str, Any] = articles[3].model_dump(mode="json") | {"published_at": "someday"}
    report = bulk_index(
        es, write_alias(alias), [articles[4], broken], on_failure=quarantine_sink(client)
    )
    assert (report.indexed, report.failed) == (1, 1)
    try:
        entry = quarantine.get(client, entry_id(articles[3].id))
        assert entry is not None
        # Replaying queues the indexing task with the article exactly as it was refused.
        assert (entry.task, entry.queue, entry.args) == (INDEX_TASK, INDEX_QUEUE, [broken])
        assert entry.article_id == articles[3].id
        assert "400" in entry.reason and "published_at" in entry.reason
        assert entry.id in {listed.id for listed in quarantine.entries(client)}
    finally:
        quarantine.remove(client, entry_id(articles[3].id))


@pytest.mark.integration
def test_unavailable_shard_503_is_retried_until_it_succeeds(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    # A primary the allocator may not place answers every write with 503 after the wait, as
    # a shard does while its node restarts; allowing it lets the retries through. The index
    # takes the article mapping from the template, so no write waits on a mapping update.
    index = f"{alias}-000002"
    es.indices.create(
        index=index,
        settings={"index.routing.allocation.require._name": "no-such-node"},
        wait_for_active_shards="0",
    )
    lifted = threading.Timer(
        3, lambda: es.indices.put_settings(
            index=index, settings={"index.routing.allocation.require._name": None}
        ),
    )  # fmt: skip
    started = time.monotonic()
    lifted.start()
    try:
        report = bulk_index(
            es, index, articles[:20], initial_backoff_s=0.5, shard_wait="500ms", refresh=True
        )
        assert time.monotonic() - started >= 3, "the shard was never unavailable"
        assert (report.indexed, report.failed) == (20, 0), report.failures
        assert es.count(index=index)["count"] == 20
    finally:
        lifted.join()
