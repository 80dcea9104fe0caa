"""Geotagging: the places an article names, with ISO 3166 codes and coordinates, and its
main countries. Runs after the entities stage and reads its output.

Each place entity is looked up in the GeoNames-based index (:mod:`workers.enrichment.places`)
by its canonical name and its spellings in the text, native scripts included. A name several
places share ("Washington", "Springfield") goes to the one in a country the article names
itself, else to the most populous. A place the index does not know (seas, islands, shoals) keeps
what the watch list says about it.

Countries vote with mentions: places directly, cities through their country, known people and
organisations through the watch list, demonyms ("North Korean") through the country they name,
and in Korean, Japanese, Chinese and Russian text, country names written in that language
(and their abbreviations, :mod:`workers.enrichment.abbreviations`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache

from newsloom.schema import Article, Entity, GeoPoint, Place
from workers.enrichment.abbreviations import country_abbreviations
from workers.enrichment.gazetteer import load_gazetteer, normalise
from workers.enrichment.places import (
    NATIVE_LANGUAGES,
    GeoRecord,
    key_joiner,
    native_country_names,
    place_index,
    word_keys,
)
from workers.enrichment.segment import Word, segment
from workers.enrichment.stage import record

__all__ = [
    "VERSION",
    "country_mentions",
    "geotag",
    "main_countries",
    "native_countries",
    "native_demonyms",
    "resolve_place",
    "well_known_place",
]

VERSION = f"geotag-geonames-3+{load_gazetteer().version}"
# A country is "main" when it gets at least this share of the top country's mentions.
_MAIN_SHARE = 0.25
_MAX_MAIN = 5
# How much a country the article names itself favours its city over a namesake: Washington
# next to "British" is the English town (1/10 of the US capital's people), but Moscow next to
# "American" is still Russia's capital (400 times Moscow, Idaho).
_CONTEXT_WEIGHT = 50
# A city this populous is the place its name means, whatever a recogniser typed it.
_WELL_KNOWN_POPULATION = 200_000
# Russian adjectives made from a country's name ("российские", "малайзийский") end in -ский;
# pymorphy links no adjective to its place and CLDR lists no demonyms, so the name is the
# adjective's stem completed as Russian country names end: Китай, Ирак; Украина; Япония;
# Россия from росси(й)-.
_RU_ADJECTIVE = "ский"
_RU_NAME_ENDINGS = ("", "а", "ия")  # noqa: RUF001 (Cyrillic by design)
_RU_MIN_STEM = 3
# Country names spanning more words than this are not looked for ("Корейская Народно-...").
_MAX_NAME_WORDS = 4


@cache
def _demonym_pattern() -> re.Pattern[str]:
    demonyms = sorted(place_index().demonyms, key=len, reverse=True)
    return re.compile(r"(?<![\w\-])(?:" + "|".join(map(re.escape, demonyms)) + r")(?![\w\-])")


def _native_mentions(words: tuple[Word, ...], language: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, ISO code) of country names written in ``language``, longest match first.

    Words come from the language's analyser, so "日本" inside the word "日本海" (a sea) or
    "인도" inside "인도적" ("humanitarian") is not taken for the country.
    """
    names = native_country_names(language)
    keys, joiner = word_keys(words, language), key_joiner(language)
    index = 0
    while index < len(words):
        for size in range(min(_MAX_NAME_WORDS, len(words) - index), 0, -1):
            end = index + size - 1
            code = names.get(joiner.join(keys[index : end + 1])) if words[end].noun else None
            if code is not None:
                yield words[index].start, words[end].end, code
                index += size
                break
        else:
            index += 1


def country_mentions(text: str, language: str | None) -> list[tuple[str, str]]:
    """(surface, ISO code) for each demonym in ``text``, and for each country named in the
    text's own language when that is one of the region's (the entity stage may not know it):
    by name, adjective or one-character abbreviation."""
    index = place_index()
    found = [(m.group(), index.demonyms[m.group()]) for m in _demonym_pattern().finditer(text)]
    names = native_countries(text, language)
    found += [(text[start:end], code) for start, end, code in names]
    found += [(text[start:end], code) for start, end, code in native_demonyms(text, language)]
    # A run of abbreviations inside a full name (북 + 한 of 북한) is that name's.
    found += [
        (text[start:end], code)
        for start, end, code in country_abbreviations(text, language)
        if not any(begin < end and start < stop for begin, stop, _ in names)
    ]
    return found


def native_countries(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """(start, end, ISO code) of each country named in ``text`` in its own language, one of
    the region's: inflected ("Южной Кореи") and several words long ("Российской Федерацией")."""
    words = segment(text, language) if language in NATIVE_LANGUAGES else None
    return list(_native_mentions(words, language)) if words and language else []


def native_demonyms(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """(start, end, ISO code) of each adjective in ``text`` made from a country's name, in
    Russian ("российские" is Russia's); none for the other languages, whose analysers
    write such words as the country's name and a suffix the name search already reads."""
    if language != "ru":
        return []
    names = native_country_names(language)
    found = []
    for word in segment(text, language) or ():
        if word.noun or not word.term.endswith(_RU_ADJECTIVE):
            continue
        stem = word.term.removesuffix(_RU_ADJECTIVE)
        if len(stem) < _RU_MIN_STEM:
            continue
        candidates = [stem + ending for ending in _RU_NAME_ENDINGS]
        if stem.endswith("й"):
            candidates.append(stem[:-1] + "я")
        codes = {names[name] for name in candidates if name in names}
        if len(codes) == 1:
            found.append((word.start, word.end, codes.pop()))
    return found


def resolve_place(names: Iterable[str], context: set[str]) -> GeoRecord | None:
    """The country or city ``names`` stand for: a country if one goes by them, else the most
    populous city, a city in a ``context`` country (the article's others) counting as if it
    had :data:`_CONTEXT_WEIGHT` times its people."""
    candidates = place_index().lookup(names)
    if not candidates:
        return None
    if candidates[0].kind == "country":
        return candidates[0]
    return max(
        candidates,
        key=lambda place: place.population * (_CONTEXT_WEIGHT if place.country in context else 1),
    )


def well_known_place(names: Iterable[str]) -> GeoRecord | None:
    """The country, or city of at least :data:`_WELL_KNOWN_POPULATION` people by its own
    name, that ``names`` stand for: a name that well known is the place even where a
    recogniser typed it a person or an organisation ("Valencia", "Nottingham"). A city's
    alternate names do not count: they include translations ("White House" is Casablanca)."""
    names = list(names)
    found = resolve_place(names, set())
    if found is None or found.kind == "country":
        return found
    own = normalise(found.name) in {normalise(name) for name in names}
    return found if own and found.population >= _WELL_KNOWN_POPULATION else None


def _place_names(entity: Entity) -> list[str]:
    return [entity.name, *entity.surface_forms]


def _watch_list_country(name: str) -> str | None:
    entry = load_gazetteer().by_name.get(name)
    return entry.country if entry is not None else None


def main_countries(votes: Counter[str]) -> list[str]:
    """ISO codes of the countries the article is mostly about, most voted first."""
    if not votes:
        return []
    top = votes.most_common(1)[0][1]
    ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
    return [code for code, count in ranked if count >= top * _MAIN_SHARE][:_MAX_MAIN]


def _located(entity: Entity, context: set[str]) -> Place:
    found = resolve_place(_place_names(entity), context)
    if found is not None:
        location = GeoPoint(lat=found.lat, lon=found.lon)
        return Place(name=entity.name, country_code=found.country, location=location)
    entry = load_gazetteer().by_name.get(entity.name)
    return Place(
        name=entity.name,
        country_code=entry.country if entry else None,
        location=entry.location if entry else None,
    )


def geotag(article: Article) -> Article:
    """Set ``enrichment.places`` and ``enrichment.countries`` from the article's entities."""
    entities = article.enrichment.entities
    language = article.language
    surfaces = {normalise(s) for entity in entities for s in _place_names(entity)}
    votes: Counter[str] = Counter()
    # Mentions the entity stage already counted as an entity do not vote twice.
    for text in (article.title, article.body):
        for surface, code in country_mentions(text, language):
            if normalise(surface) not in surfaces:
                votes[code] += 1
    places_found = [entity for entity in entities if entity.type == "place"]
    for entity in entities:
        owner = None if entity.type == "place" else _watch_list_country(entity.name)
        if owner is not None:
            votes[owner] += entity.mentions
    # Countries the article names settle which of several same-named cities it means.
    context = set(votes)
    for entity in places_found:
        found = resolve_place(_place_names(entity), set())
        if found is not None and found.kind == "country":
            context.add(found.country)
    places = [_located(entity, context) for entity in places_found]
    for entity, place in zip(places_found, places, strict=True):
        if place.country_code is not None:
            votes[place.country_code] += entity.mentions
    return record(article, "geotag", VERSION, places=places, countries=main_countries(votes))
