"""The offline gazetteer of East Asian security names and the matcher built from it.

Names match ignoring case and treating spaces and hyphens alike, so "Choe Son Hui",
"Choe Son-hui" and "CHOE SON HUI" are one person; short all-capital acronyms match only in
capitals, so "US" is a country but "us" is not.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import cast

import yaml

from newsloom.schema import EntityType, GeoPoint
from newsloom.settings import get_settings

__all__ = ["Gazetteer", "GazetteerEntry", "load_gazetteer", "normalise"]

_SECTIONS: dict[str, EntityType] = {
    "countries": "place",
    "people": "person",
    "organizations": "organization",
    "places": "place",
    "weapons": "weapon",
}
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2013]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
_SEPARATOR_PATTERN = r"[\s\-\u2010\u2011\u2013]+"


def normalise(name: str) -> str:
    """The key spellings of one name share: case-folded, one space for any separator run."""
    return _SEPARATORS.sub(" ", name.translate(_APOSTROPHES)).strip().casefold()


def _is_acronym(alias: str) -> bool:
    letters = alias.replace(".", "")
    return letters.isupper() and len(letters) <= 5


def _alias_pattern(alias: str) -> str:
    tokens = [re.escape(token) for token in _SEPARATORS.split(alias.translate(_APOSTROPHES))]
    # Curly and straight apostrophes are the same letter to a reader.
    body = _SEPARATOR_PATTERN.join(tokens).replace("'", "['\u2019]")
    return body if _is_acronym(alias) else f"(?i:{body})"


@dataclass(frozen=True)
class GazetteerEntry:
    """One known name with everything the stages need about it."""

    name: str
    type: EntityType
    country: str | None = None
    location: GeoPoint | None = None
    is_country: bool = False


class Gazetteer:
    """Canonical entries and one compiled pattern matching every alias, longest first."""

    def __init__(self, data: dict[str, list[dict[str, object]]], version: str) -> None:
        self.version = version
        self.by_name: dict[str, GazetteerEntry] = {}
        self._by_alias: dict[str, GazetteerEntry] = {}
        aliases: list[str] = []
        for section, entity_type in _SECTIONS.items():
            for item in data.get(section, []):
                entry = self._entry(item, entity_type, is_country=section == "countries")
                self.by_name[entry.name] = entry
                for alias in [entry.name, *cast(list[str], item.get("aliases", []))]:
                    self._by_alias[normalise(alias)] = entry
                    aliases.append(alias)
        # Longest alias first, so "Chinese Communist Party" wins over "Chinese".
        alternatives = sorted(set(aliases), key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![\w\-])(?:" + "|".join(_alias_pattern(a) for a in alternatives) + r")(?![\w\-])"
        )

    @staticmethod
    def _entry(
        item: dict[str, object], entity_type: EntityType, *, is_country: bool
    ) -> GazetteerEntry:
        location = None
        if "lat" in item and "lon" in item:
            location = GeoPoint(lat=cast(float, item["lat"]), lon=cast(float, item["lon"]))
        country = item.get("country")
        return GazetteerEntry(
            name=str(item["name"]),
            type=entity_type,
            country=str(country) if country else None,
            location=location,
            is_country=is_country,
        )

    def lookup(self, surface: str) -> GazetteerEntry | None:
        """The entry a matched surface form stands for."""
        return self._by_alias.get(normalise(surface))


@cache
def load_gazetteer() -> Gazetteer:
    """The watch list in ``NEWSLOOM_GAZETTEER_FILE``; versioned by a hash of its data."""
    raw = get_settings().gazetteer_file.read_bytes()
    version = f"gazetteer-{hashlib.sha256(raw).hexdigest()[:10]}"
    return Gazetteer(yaml.safe_load(raw), version)
