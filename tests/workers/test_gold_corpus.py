"""The enrichment pipeline scored on gold annotations of real publisher pages.

The seeds (``test_enrichment.py``) must be matched exactly; on these pages, written for other
readers, the bar is a score: entity precision and recall (name and type) of at least 0.9.
"""

from __future__ import annotations

from typing import Any

import pytest

from newsloom.schema import Article
from tests.workers.seeds import gold_corpus, publisher_article
from workers.enrichment.pipeline import enrich

MIN_PRECISION = 0.9
MIN_RECALL = 0.9


@pytest.fixture(scope="module")
def scored() -> list[tuple[dict[str, Any], Article]]:
    """Each gold annotation with the pipeline's output for its page."""
    return [
        (annotation, enrich(publisher_article(annotation["page"]))) for annotation in gold_corpus()
    ]


def _precision_recall(annotation: dict[str, Any], article: Article) -> tuple[float, float]:
    found = {(entity.name, entity.type) for entity in article.enrichment.entities}
    expected = {(entity["name"], entity["type"]) for entity in annotation["entities"]}
    hits = len(found & expected)
    return hits / max(len(found), 1), hits / len(expected)


def test_entities_score_on_every_page(scored: list[tuple[dict[str, Any], Article]]) -> None:
    for annotation, article in scored:
        precision, recall = _precision_recall(annotation, article)
        found = {(entity.name, entity.type) for entity in article.enrichment.entities}
        expected = {(entity["name"], entity["type"]) for entity in annotation["entities"]}
        assert precision >= MIN_PRECISION, f"{annotation['page']}: extra {found - expected}"
        assert recall >= MIN_RECALL, f"{annotation['page']}: missing {expected - found}"


def test_spellings_merge_into_the_canonical_name(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for annotation, article in scored:
        by_name = {entity.name: entity for entity in article.enrichment.entities}
        for expected in annotation["entities"]:
            if expected["name"] in by_name:
                forms = set(by_name[expected["name"]].surface_forms)
                assert set(expected["spellings"]) <= forms, (expected, forms)


def test_headline_words_are_not_entities(scored: list[tuple[dict[str, Any], Article]]) -> None:
    for annotation, article in scored:
        names = {entity.name for entity in article.enrichment.entities}
        assert not names & set(annotation["not_entities"]), names


def test_main_countries_places_and_topics(scored: list[tuple[dict[str, Any], Article]]) -> None:
    for annotation, article in scored:
        enrichment = article.enrichment
        leading = enrichment.countries[: len(annotation["countries"])]
        assert sorted(leading) == sorted(annotation["countries"]), enrichment.countries
        places = {place.name: place for place in enrichment.places}
        for name, code in annotation["places"].items():
            assert places[name].country_code == code
            assert places[name].location is not None
        assert set(annotation["topics"]) <= {topic.label for topic in enrichment.topics}
