"""Geotagging from the offline GeoNames, ISO and CLDR data: same-named cities, demonyms and
native-script names, on real data."""

from __future__ import annotations

from newsloom.schema import Article, Enrichment, Entity
from tests.workers.seeds import plain_article
from workers.enrichment.geotag import geotag


def _geotagged(body: str, places: list[str], language: str = "en") -> Article:
    entities = [Entity(name=name, type="place", surface_forms=[name]) for name in places]
    return geotag(plain_article(body, language=language, enrichment=Enrichment(entities=entities)))


def _place(article: Article, name: str) -> tuple[str | None, float, float]:
    place = next(place for place in article.enrichment.places if place.name == name)
    assert place.location is not None, name
    return place.country_code, place.location.lat, place.location.lon


def test_a_city_name_goes_to_the_most_populous_city_without_context() -> None:
    code, lat, _lon = _place(
        _geotagged("Officials met in Washington.", ["Washington"]), "Washington"
    )
    assert (code, round(lat)) == ("US", 39)


def test_a_country_the_article_names_picks_its_namesake_city() -> None:
    article = _geotagged("British fans gathered in Washington.", ["Washington"])
    code, lat, _lon = _place(article, "Washington")
    assert (code, round(lat)) == ("GB", 55)


def test_a_much_larger_namesake_outweighs_the_context() -> None:
    article = _geotagged("American diplomats flew to Moscow.", ["Moscow"])
    assert _place(article, "Moscow")[0] == "RU"
    assert article.enrichment.countries[:2] == ["RU", "US"]


def test_demonyms_vote_for_their_countries() -> None:
    article = _geotagged(
        "North Korean troops and Chinese officials met Russians while South Korean and "
        "American diplomats watched. North Korean media reported it.",
        [],
    )
    assert article.enrichment.countries[0] == "KP"
    assert sorted(article.enrichment.countries[1:]) == ["CN", "KR", "RU", "US"]


def test_native_script_places_resolve_through_geonames_alternate_names() -> None:
    article = _geotagged("", ["서울", "ソウル", "Москва", "北京"])
    assert [_place(article, name)[0] for name in ("서울", "ソウル", "Москва", "北京")] == [
        "KR",
        "KR",
        "RU",
        "CN",
    ]


def test_japanese_country_names_in_the_text_are_counted() -> None:
    body = (
        "韓国の尹大統領が非常戒厳を宣布した。韓国の野党は反発し、北朝鮮は沈黙した。日本海は静かだ。"
    )
    assert _geotagged(body, [], "ja").enrichment.countries == ["KR", "KP"]


def test_inflected_russian_country_names_are_counted() -> None:
    body = "Президент Южной Кореи заявил, что Россия и КНДР укрепляют связи. Южная Корея ответила."
    assert _geotagged(body, [], "ru").enrichment.countries == ["KR", "KP", "RU"]


def test_a_korean_word_built_on_a_country_name_is_not_that_country() -> None:
    body = "정부는 북한에 인도적 지원을 제안했다. 북한은 답하지 않았다."
    assert _geotagged(body, [], "ko").enrichment.countries == ["KP"]


def test_russian_adjectives_of_countries_vote_for_them() -> None:
    body = "Японский посол и иранский министр обсудили городской бюджет и женский футбол."
    assert sorted(_geotagged(body, [], "ru").enrichment.countries) == ["IR", "JP"]
