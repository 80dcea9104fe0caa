"""The enrichment stages scored on the gold file built from the two seed articles."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

from newsloom.schema import Article
from tests.workers.seeds import gold, seed_article, seed_paths
from workers.enrichment.embeddings import DIMENSIONS, embed_article
from workers.enrichment.entities import find_entities
from workers.enrichment.pipeline import STAGES, enrich
from workers.enrichment.topics import score_topics


def _enriched(seed: str) -> Article:
    (path,) = [path for path in seed_paths() if path.name == seed]
    return enrich(seed_article(path))


@pytest.fixture(scope="module")
def scored() -> list[tuple[dict[str, Any], Article]]:
    """Each gold annotation with the pipeline's output for its seed."""
    return [(annotation, _enriched(annotation["seed"])) for annotation in gold()]


def test_gold_covers_both_seeds() -> None:
    assert sorted(annotation["seed"] for annotation in gold()) == [p.name for p in seed_paths()]


def test_every_gold_entity_is_found_with_its_type(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for annotation, article in scored:
        found = {entity.name: entity.type for entity in article.enrichment.entities}
        expected = {entity["name"]: entity["type"] for entity in annotation["entities"]}
        missing = {name: kind for name, kind in expected.items() if found.get(name) != kind}
        assert not missing, f"{annotation['seed']}: not found (or wrong type): {missing}"


def test_spellings_and_aliases_merge_into_one_entity(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for annotation, article in scored:
        by_name = {entity.name: entity for entity in article.enrichment.entities}
        for expected in annotation["entities"]:
            entity = by_name[expected["name"]]
            assert set(expected["spellings"]) <= set(entity.surface_forms), entity
            assert entity.mentions >= len(expected["spellings"])
        names = [entity.name for entity in article.enrichment.entities]
        assert len(names) == len(set(names)), "an entity appears twice"


def test_spellings_merge_across_the_two_seeds() -> None:
    # The seeds spell these differently; both must resolve to one canonical name.
    pairs = {
        "Choe Son-hui": ("Choe Son Hui", "Choe Son-hui"),
        "Kim Jong-un": ("Kim Jong-Un", "Kim Jong-un"),
        "North Korea": ("DPRK", "North Korea"),
        "Korean Central News Agency": ("KCNA", "Korean Central News Agency"),
        "East Sea": ("Sea of Japan", "East Sea"),
    }
    for canonical, spellings in pairs.items():
        for spelling in spellings:
            (entity,) = find_entities(f"A report quoted {spelling} on Friday.")
            assert entity.name == canonical


def test_unknown_weapon_designators_and_titled_people_are_found() -> None:
    text = (
        "Defence Minister Kang Sun-nam said the Hwasong-20 and the KN-25 were tested, "
        "according to the Missile Administration Agency."
    )
    found = {entity.name: entity.type for entity in find_entities(text)}
    assert found["Hwasong-20"] == "weapon"
    assert found["KN-25"] == "weapon"
    assert found["Kang Sun-nam"] == "person"
    assert found["Missile Administration Agency"] == "organization"


def test_lowercase_us_is_not_the_united_states() -> None:
    assert find_entities("Let us talk about it.") == []


def test_places_resolve_to_country_codes_and_coordinates(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for annotation, article in scored:
        places = {place.name: place for place in article.enrichment.places}
        for name, code in annotation["places"].items():
            assert places[name].country_code == code
            assert places[name].location is not None


def test_main_countries_lead_with_gold_countries(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for annotation, article in scored:
        countries = article.enrichment.countries
        assert countries[: len(annotation["countries"])] == annotation["countries"], countries


def test_gold_topics_are_assigned_with_scores(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for annotation, article in scored:
        labels = {topic.label for topic in article.enrichment.topics}
        assert set(annotation["topics"]) <= labels, labels
        assert all(0.3 <= topic.score <= 1 for topic in article.enrichment.topics)


def test_unrelated_text_gets_no_security_topics() -> None:
    assert score_topics("The bakery on Main Street sells bread and cakes every morning.") == []


def test_keywords_and_summary_come_from_the_article(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for _annotation, article in scored:
        keywords = article.enrichment.keywords
        assert keywords[0].term == "North Korea"
        assert keywords[0].score == 1.0
        summary = article.enrichment.summary
        assert summary is not None
        assert 100 < len(summary) <= 700
        for sentence in summary.split(". "):
            assert sentence.rstrip(".") in article.body


def test_every_stage_records_its_version(scored: list[tuple[dict[str, Any], Article]]) -> None:
    for _annotation, article in scored:
        assert len(article.enrichment.stage_versions) == len(STAGES)
        assert all(article.enrichment.stage_versions.values())


def test_enrichment_survives_the_json_round_trip(
    scored: list[tuple[dict[str, Any], Article]],
) -> None:
    for _annotation, article in scored:
        again = Article.from_document(article.model_dump(mode="json"))
        assert again == article


def test_people_named_again_by_one_word_count_as_mentions() -> None:
    text = "Prime Minister Shigeru Ishiba spoke in Tokyo. Ishiba said talks would go on."
    (ishiba,) = [entity for entity in find_entities(text) if entity.type == "person"]
    assert ishiba.name == "Shigeru Ishiba"
    assert ishiba.mentions == 2
    assert ishiba.surface_forms == ["Shigeru Ishiba", "Ishiba"]


def test_a_word_two_people_share_names_neither() -> None:
    text = "Kim Jong-un and Kim Yo-jong visited Wonsan. Kim praised the workers."
    found = {entity.name: entity.mentions for entity in find_entities(text)}
    assert found["Kim Jong-un"] == 1
    assert found["Kim Yo-jong"] == 1


def test_entity_extraction_grows_linearly_with_page_length() -> None:
    # A long page (an archive extracted as one body) once took quadratic time.
    (path,) = [path for path in seed_paths() if path.name.startswith("003_")]
    body = seed_article(path).body + "\n"

    def seconds(copies: int) -> float:
        # CPU time, best of three: other processes on a loaded machine delay a run (wall
        # clock) or slow one down (cache misses), but only ever make it take longer.
        times = []
        for _ in range(3):
            started = time.process_time()
            entities = find_entities(body * copies)
            times.append(time.process_time() - started)
            assert entities
        return min(times)

    seconds(1)  # warm the gazetteer
    ratio = seconds(100) / seconds(10)
    assert ratio < 30, f"10x the text took {ratio:.0f}x the time"


def test_english_articles_get_a_unit_embedding_and_others_none() -> None:
    english = _enriched(seed_paths()[0].name)
    vector = english.enrichment.embedding
    assert vector is not None and len(vector) == DIMENSIONS
    assert abs(sum(value * value for value in vector) - 1) < 1e-3
    german = enrich(
        seed_article(seed_paths()[0]).model_copy(
            update={
                "title": "Nordkorea und China vertiefen ihre Zusammenarbeit",
                "body": "Die Außenminister beider Länder trafen sich am Freitag in Pjöngjang "
                "und vereinbarten eine engere strategische Abstimmung.",
            }
        )
    )
    assert german.language == "de"
    assert german.enrichment.embedding is None
    assert german.enrichment.stage_versions["embeddings"]


def test_embedding_leaves_the_root_logger_alone() -> None:
    # Importing the wordllama package calls logging.basicConfig; a worker's logging is its own.
    check = (
        "import logging, sys\n"
        "from workers.enrichment.embeddings import embed_text\n"
        "embed_text('North Korea tested a missile')\n"
        "assert 'wordllama' not in sys.modules, 'the package was imported'\n"
        "assert not logging.getLogger().handlers, logging.getLogger().handlers\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_text_without_tokens_gets_no_embedding() -> None:
    # An all-zero vector would make Elasticsearch refuse the whole document.
    empty = seed_article(seed_paths()[0]).model_copy(
        update={"language": "en", "title": "", "lead": None, "body": ""}
    )
    assert embed_article(empty).enrichment.embedding is None
