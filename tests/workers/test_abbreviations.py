"""One-character country abbreviations in Korean, Japanese and Chinese text, read with the
real analysers and dictionaries."""

from __future__ import annotations

import pytest

from tests.workers.test_geotag import _geotagged
from workers.enrichment.abbreviations import country_abbreviations
from workers.enrichment.entities import find_entities


def _codes(text: str, language: str) -> list[tuple[str, str]]:
    return [(text[start:end], code) for start, end, code in country_abbreviations(text, language)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ja", "日米韓の首脳が会談した。", [("日", "JP"), ("米", "US"), ("韓", "KR")]),
        ("ja", "次期米大統領と英政府", [("米", "US"), ("英", "GB")]),
        ("ja", "米軍と中露の艦艇", [("米", "US"), ("中", "CN"), ("露", "RU")]),
        ("ja", "日中首脳会談", [("日", "JP"), ("中", "CN")]),
        ("zh", "中美关系紧张。美军演习。", [("中", "CN"), ("美", "US"), ("美", "US")]),
        ("zh", "俄乌冲突与中菲对峙", [("俄", "RU"), ("乌", "UA"), ("中", "CN"), ("菲", "PH")]),
        ("ko", "한미일 협력과 남북 회담", [("한", "KR"), ("미", "US"), ("일", "JP"),
                                          ("남", "KR"), ("북", "KP")]),
        ("ko", "北 미사일 발사에 美 국무부가 반응", [("北", "KP"), ("美", "US")]),
    ],
)  # fmt: skip
def test_abbreviations_name_their_countries(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert _codes(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ja", "お米の価格と英語の授業と独自の調査"),  # rice, English, "own"
        ("ja", "日中は暑いが夜は涼しい。"),  # "in the daytime"
        ("ja", "期間中に発表した。"),  # "during"
        ("zh", "美丽的风景和美德"),  # "beautiful", "virtue"
        ("zh", "中美洲国家与美中不足"),  # Central America, an idiom
        ("ko", "열심히 일한 만큼 받는다."),  # "worked"
        ("ko", "남미와 중남미 여행"),  # South and Latin America
        ("ko", "이 일은 중요하다"),  # "this work"
        ("en", "US-China talks"),
    ],
)
def test_the_same_characters_as_common_words_are_no_country(language: str, text: str) -> None:
    assert _codes(text, language) == []


def test_abbreviations_vote_for_countries_but_not_inside_a_full_name() -> None:
    article = _geotagged("북한이 한미 연합훈련을 비난했다. 북한은 경고했다.", [], "ko")
    assert article.enrichment.countries == ["KP", "KR", "US"]


def test_an_abbreviation_is_its_country_among_the_entities() -> None:
    found = {
        e.name: e.surface_forms for e in find_entities("次期米大統領は日米同盟を語った。", "ja")
    }
    assert found == {"United States": ["米"], "Japan": ["日"]}
