"""One article's trip from a news site to a search result, through every real service."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from search.query import search_articles
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

SEED_BOILERPLATE = (
    "Advertisement",
    "Get more with myNEWS",
    "A personalised news feed",
    "Read more:",
    "03:56",
    "Seoul functions as US 'colonial stooge'",
)


@pytest.fixture(scope="module")
def crawled(
    settings: Settings, es: Elasticsearch, worker: BackgroundProcess, fixture_sources: Path
) -> int:
    """Crawl the fixture site once through the CLI; return the number of documents indexed."""
    run_cli(settings, "crawl", "--sources", str(fixture_sources), "--wait")
    es.indices.refresh(index=settings.index_alias)
    count: int = es.count(index=settings.index_alias)["count"]
    return count


def _titles(es: Elasticsearch, alias: str, query: str) -> list[str]:
    return [hit.title for hit in search_articles(es, alias, query)]


def test_crawl_indexes_every_fixture_article(crawled: int) -> None:
    # Two seed articles plus the corpus outlet's pages; each must arrive.
    assert crawled > 2


def test_search_finds_each_seed_by_its_weapon(
    settings: Settings, es: Elasticsearch, crawled: int
) -> None:
    pulhwasal = search_articles(es, settings.index_alias, "Pulhwasal")
    assert [hit.source_name for hit in pulhwasal][:1] == ["Al Mayadeen English (fixture)"]
    assert "DPRK, China bolster cooperation" in pulhwasal[0].title
    haeil = search_articles(es, settings.index_alias, "Haeil")
    assert "China vows to work with North Korea" in haeil[0].title


def test_cli_search_prints_ranked_highlighted_hits(settings: Settings, crawled: int) -> None:
    output = run_cli(settings, "search", "Pulhwasal")
    assert "DPRK, China bolster cooperation" in output
    assert "Al Mayadeen English" in output


def test_phrase_search_finds_both_seeds(
    settings: Settings, es: Elasticsearch, crawled: int
) -> None:
    titles = _titles(es, settings.index_alias, '"strategic communication"')
    assert any("DPRK, China bolster cooperation" in title for title in titles)
    assert any("China vows to work with North Korea" in title for title in titles)


def test_stemming_matches_inflected_forms(
    settings: Settings, es: Elasticsearch, crawled: int
) -> None:
    titles = _titles(es, settings.index_alias, "sanction")
    assert any("DPRK, China bolster cooperation" in title for title in titles)


def test_seed_boilerplate_is_not_indexed(
    settings: Settings, es: Elasticsearch, crawled: int
) -> None:
    for query in ("Pulhwasal", "Haeil"):
        hit = search_articles(es, settings.index_alias, query)[0]
        found = es.search(index=settings.index_alias, query={"ids": {"values": [hit.id]}})
        body = found["hits"]["hits"][0]["_source"]["body"]
        for boilerplate in SEED_BOILERPLATE:
            assert boilerplate not in body, f"{boilerplate!r} left in {hit.title!r}"
        assert "Korean Central News Agency" in body or "Ri Ryong-nam" in body


def test_recrawl_adds_no_duplicates(
    settings: Settings, es: Elasticsearch, fixture_sources: Path, crawled: int
) -> None:
    run_cli(settings, "crawl", "--sources", str(fixture_sources), "--wait")
    es.indices.refresh(index=settings.index_alias)
    assert es.count(index=settings.index_alias)["count"] == crawled
    duplicates = es.search(
        index=settings.index_alias,
        size=0,
        aggs={"urls": {"terms": {"field": "canonical_url", "min_doc_count": 2}}},
    )["aggregations"]["urls"]["buckets"]
    assert duplicates == []


def test_cli_show_prints_tags_and_the_other_outlets_coverage(
    settings: Settings, es: Elasticsearch, crawled: int
) -> None:
    seed = search_articles(es, settings.index_alias, "Pulhwasal")[0]
    output = run_cli(settings, "show", seed.id)
    # Canonical forms, whatever spelling the page used, and the other outlet's seed as related.
    for tag in ("Choe Son-hui", "Pulhwasal-3-31", "North Korea", "Pyongyang"):
        assert tag in output
    assert "South China Morning Post" in output.split("related coverage", 1)[1]


def test_cli_show_names_the_fix_for_an_unknown_id(settings: Settings, crawled: int) -> None:
    output = run_cli(settings, "show", "0" * 32, expect_failure=True)
    assert "newsloom search" in output


def test_the_regions_languages_get_their_own_terms_and_countries(
    settings: Settings, es: Elasticsearch, crawled: int
) -> None:
    methods = {"ko": "mecab-ko-dic", "ja": "mecab-unidic-lite", "zh": "jieba-rs", "ru": "pymorphy3"}
    query = {"prefix": {"source_id": "corpus-"}}
    hits = es.search(index=settings.index_alias, query=query, size=50)["hits"]["hits"]
    assert {hit["_source"]["language"] for hit in hits} == set(methods)
    for hit in hits:
        source = hit["_source"]
        enrichment = source["enrichment"]
        assert enrichment["methods"]["keywords"] == f"{methods[source['language']]}-nouns"
        assert enrichment["keywords"], source["url"]
    # The Japanese report on South Korea's martial law is about 韓国 and names 北朝鮮 too.
    (martial_law,) = [hit["_source"] for hit in hits if "戒厳令" in hit["_source"]["title"]]
    assert martial_law["enrichment"]["countries"][0] == "KR"
    placed = {place["country_code"] for place in martial_law["enrichment"]["places"]}
    assert {"KR", "KP"} <= placed, martial_law["enrichment"]["places"]
