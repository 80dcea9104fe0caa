"""Geotagging: the places an article names, with ISO 3166 codes and coordinates, and its
main countries. Runs after the entities stage and reads its output."""

from __future__ import annotations

from collections import Counter

from newsloom.schema import Article, Entity, Place
from workers.enrichment.gazetteer import load_gazetteer
from workers.enrichment.stage import record

__all__ = ["VERSION", "geotag", "main_countries"]

VERSION = f"geotag-1+{load_gazetteer().version}"
# A country is "main" when it gets at least this share of the top country's mentions.
_MAIN_SHARE = 0.25
_MAX_MAIN = 5


def main_countries(entities: list[Entity]) -> list[str]:
    """ISO codes of the countries the article is mostly about, most mentioned first.

    Every known entity votes for its country with its mentions: places directly, people,
    organisations and weapons through the country they belong to.
    """
    gazetteer = load_gazetteer()
    votes: Counter[str] = Counter()
    for entity in entities:
        entry = gazetteer.by_name.get(entity.name)
        if entry is not None and entry.country is not None:
            votes[entry.country] += entity.mentions
    if not votes:
        return []
    top = votes.most_common(1)[0][1]
    ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
    return [code for code, count in ranked if count >= top * _MAIN_SHARE][:_MAX_MAIN]


def geotag(article: Article) -> Article:
    """Set ``enrichment.places`` and ``enrichment.countries`` from the article's entities."""
    gazetteer = load_gazetteer()
    places = []
    for entity in article.enrichment.entities:
        entry = gazetteer.by_name.get(entity.name)
        if entity.type != "place":
            continue
        places.append(
            Place(
                name=entity.name,
                country_code=entry.country if entry else None,
                location=entry.location if entry else None,
            )
        )
    return record(
        article,
        "geotag",
        VERSION,
        places=places,
        countries=main_countries(article.enrichment.entities),
    )
