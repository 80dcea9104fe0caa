"""Read and write aliases, idempotent bootstrap, rollover and zero-downtime reindex."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from newsloom.schema import Article
from newsloom.settings import Settings
from search.aliases import indices_behind, rollover, rollover_conditions, write_alias, write_index
from search.bulk import bulk_index
from search.indexer import index_article
from search.lifecycle import lifecycle_component, lifecycle_policy
from search.query import search_articles
from search.reindex import new_index_name, reindex
from search.templates import ensure_index
from tests.conftest import run_cli
from tests.search.corpus_articles import corpus_articles, variants


@pytest.fixture(scope="module")
def articles(settings: Settings) -> list[Article]:
    return corpus_articles(settings.shared_dir)


@pytest.fixture
def alias(es: Elasticsearch, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"al{request.node.name.removeprefix('test_').replace('_', '')[:20].lower()}"
    yield name
    es.indices.delete(index=f"{name}-*")


def test_new_index_name_rolls_over_cleanly() -> None:
    name = new_index_name("articles", datetime(2026, 11, 23, 11, 5, 9, tzinfo=UTC))
    assert name == "articles-20261123110509-000001"
    assert write_alias("articles") == "articles-write"


@pytest.mark.integration
def test_ensure_index_from_many_processes_at_once_makes_one_index(
    es: Elasticsearch, alias: str
) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: ensure_index(es, alias), range(6)))
    assert indices_behind(es, alias) == [f"{alias}-000001"]
    assert write_index(es, alias) == f"{alias}-000001"


@pytest.mark.integration
def test_an_alias_may_extend_another_alias_name(es: Elasticsearch, alias: str) -> None:
    nested = f"{alias}-archive"
    try:
        ensure_index(es, alias)
        ensure_index(es, nested)  # its template overlaps the first one's pattern
        assert indices_behind(es, alias) == [f"{alias}-000001"]
        assert indices_behind(es, nested) == [f"{nested}-000001"]
    finally:
        es.indices.delete_index_template(name=nested)
        es.indices.delete_index_template(name=alias)


@pytest.mark.integration
def test_replicas_come_from_the_setting(es: Elasticsearch, alias: str) -> None:
    ensure_index(es, alias, replicas=1)  # a single node leaves them unassigned: still usable
    (settings,) = es.indices.get_settings(index=f"{alias}-*").body.values()
    assert settings["settings"]["index"]["number_of_replicas"] == "1"


@pytest.mark.integration
def test_rollover_moves_writes_and_keeps_every_article_searchable(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    ensure_index(es, alias)
    bulk_index(es, write_alias(alias), articles[:20], refresh=True)
    kept = rollover(es, alias, {"max_docs": 1000})
    assert not kept.rolled_over
    rolled = rollover(es, alias, {"max_docs": 10})
    assert rolled.rolled_over
    assert rolled.conditions == {"[max_docs: 10]": True}
    assert rolled.new_index == f"{alias}-000002"
    assert write_index(es, alias) == rolled.new_index
    assert indices_behind(es, alias) == [f"{alias}-000001", f"{alias}-000002"]
    assert index_article(es, alias, articles[20])
    es.indices.refresh(index=alias)
    assert es.count(index=rolled.new_index)["count"] == 1
    assert es.count(index=alias)["count"] == 21


class SearchLoad:
    """Searches and counts ``alias`` in a thread, recording every failure, until stopped."""

    def __init__(self, es: Elasticsearch, alias: str) -> None:
        self.es, self.alias = es, alias
        self.errors: list[BaseException] = []
        self.counts: list[int] = []
        self.searches = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.counts.append(int(self.es.count(index=self.alias)["count"]))
                assert search_articles(self.es, self.alias, "Ukraine", size=5)
                self.searches += 1
            except BaseException as error:  # every failure counts, whatever its kind
                self.errors.append(error)

    def __enter__(self) -> SearchLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _two_old_indices(es: Elasticsearch, alias: str, articles: list[Article], count: int) -> int:
    """Fill ``alias`` with ``count`` articles, roll over, write one more; return the total."""
    ensure_index(es, alias)
    bulk_index(es, write_alias(alias), variants(articles, count), refresh=True)
    rollover(es, alias, {})  # two old indices, as after a rollover in production
    extra = next(variants(articles[5:], 1)).model_copy(
        update={"url": "http://127.0.0.1/late", "canonical_url": "http://127.0.0.1/late"}
    )
    bulk_index(es, write_alias(alias), [extra], refresh=True)
    return count + 1


@pytest.mark.integration
def test_reindex_under_search_load_never_fails_a_search(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    expected = _two_old_indices(es, alias, articles, 3000)
    with SearchLoad(es, alias) as load:
        report = reindex(es, alias, on_progress=lambda done, total: None)
    assert load.errors == []
    assert load.searches > 3
    assert set(load.counts) == {expected}, "a search saw missing or doubled articles"
    assert report.copied.indexed == expected
    assert sorted(report.old_indices) == [f"{alias}-000001", f"{alias}-000002"]
    assert indices_behind(es, alias) == [report.new_index]
    assert write_index(es, alias) == report.new_index
    assert not es.indices.exists(index=f"{alias}-000001")
    assert es.count(index=alias)["count"] == expected


@pytest.mark.integration
def test_reindex_command_under_search_load_never_fails_a_search(
    services: Settings, es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    expected = _two_old_indices(es, alias, articles, 2000)
    with SearchLoad(es, alias) as load:
        output = run_cli(services.model_copy(update={"index_alias": alias}), "index", "reindex")
    assert f"{expected} copied" in output
    assert load.errors == []
    assert load.searches > 3
    assert set(load.counts) == {expected}, "a search saw missing or doubled articles"
    (new_index,) = indices_behind(es, alias)
    assert new_index != f"{alias}-000001" and write_index(es, alias) == new_index


@pytest.mark.integration
def test_rollover_by_age_and_by_size(
    es: Elasticsearch, alias: str, articles: list[Article]
) -> None:
    ensure_index(es, alias)
    bulk_index(es, write_alias(alias), articles[:5], refresh=True)
    assert not rollover(es, alias, {"max_age": "30d", "max_primary_shard_size": "25gb"}).rolled_over
    aged = rollover(es, alias, {"max_age": "1ms", "max_docs": 1000})
    assert aged.rolled_over and aged.conditions == {
        "[max_age: 1ms]": True,
        "[max_docs: 1000]": False,
    }
    bulk_index(es, write_alias(alias), articles[5:7], refresh=True)
    sized = rollover(es, alias, {"max_age": "30d", "max_primary_shard_size": "1b"})
    assert sized.rolled_over and sized.conditions["[max_primary_shard_size: 1b]"]
    assert indices_behind(es, alias) == [f"{alias}-00000{n}" for n in (1, 2, 3)]
    assert es.count(index=alias)["count"] == 7


@pytest.mark.integration
def test_index_commands(services: Settings, es: Elasticsearch, articles: list[Article]) -> None:
    cli_settings = services.model_copy(update={"index_alias": "clitest"})
    try:
        run_cli(cli_settings, "index", "init")
        bulk_index(es, write_alias("clitest"), articles[:5], refresh=True)
        assert "kept clitest-000001" in run_cli(cli_settings, "index", "rollover")
        assert "clitest-000001 -> clitest-000002" in run_cli(
            cli_settings, "index", "rollover", "--now"
        )
        output = run_cli(cli_settings, "index", "reindex")
        assert "5 copied" in output
        assert "deleted clitest-000001, clitest-000002" in output
        assert es.count(index="clitest")["count"] == 5
    finally:
        es.indices.delete(index="clitest-*")


def test_rollover_conditions_default_to_the_settings(settings: Settings) -> None:
    tight = settings.model_copy(update={"rollover_max_age": "7d"})
    assert rollover_conditions(tight) == {"max_age": "7d", "max_primary_shard_size": "25gb"}
    assert rollover_conditions(tight, max_size="1gb", max_docs=10) == {
        "max_age": "7d",
        "max_primary_shard_size": "1gb",
        "max_docs": 10,
    }


def test_the_lifecycle_policy_ages_indices_and_deletes_nothing() -> None:
    phases = lifecycle_policy("14d")["phases"]
    assert phases["warm"]["min_age"] == "14d"
    assert {"forcemerge", "readonly"} <= set(phases["warm"]["actions"])
    assert "delete" not in phases
    # Rollover stays with `newsloom index rollover`, which keeps the read alias on new indices.
    assert all("rollover" not in phase["actions"] for phase in phases.values())


@pytest.mark.integration
def test_the_lifecycle_component_reaches_every_new_index(es: Elasticsearch, alias: str) -> None:
    # The core server has no ILM, so a harmless setting stands in for index.lifecycle.name: what
    # is checked is that the optional component, once present, shapes the indices rollover makes.
    ensure_index(es, alias)
    assert (
        es.indices.get_settings(index=f"{alias}-000001")[f"{alias}-000001"]["settings"][
            "index"
        ].get("refresh_interval")
        is None
    )
    es.cluster.put_component_template(
        name=lifecycle_component(alias), template={"settings": {"index.refresh_interval": "7s"}}
    )
    try:
        new = rollover(es, alias, {}).new_index
        index_settings = es.indices.get_settings(index=new)[new]["settings"]["index"]
        assert index_settings["refresh_interval"] == "7s"
    finally:
        es.cluster.delete_component_template(name=lifecycle_component(alias))


@pytest.mark.integration
def test_lifecycle_command_explains_a_server_without_ilm(services: Settings) -> None:
    output = run_cli(services, "index", "lifecycle", expect_failure=True)
    assert "no index lifecycle management" in output
    assert "newsloom index rollover" in output
