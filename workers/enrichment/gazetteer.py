"""The watch list as a matcher: every alias in one Aho-Corasick automaton (pyahocorasick).

Matching runs on a normalised copy of the text (case-folded, one space for any run of
spaces, hyphens or middle dots) with a map back to the original offsets, so mentions keep
their character positions. Boundaries follow the script: Latin and Cyrillic names must be
whole words (Cyrillic ones may carry a case ending), Hangul names may carry a particle, and
Chinese and Japanese text, written without spaces, needs no boundary: the longest match wins.
Short all-capital acronyms match only in capitals, so "US" is a country but "us" is not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick

from newsloom.schema import EntityType, GeoPoint
from newsloom.settings import get_settings
from workers.enrichment.watchlist import (
    FOLDING,
    SECTIONS,
    WatchEntry,
    normalise,
    read_watchlist,
)

__all__ = ["Gazetteer", "GazetteerEntry", "WatchMatch", "load_gazetteer", "normalise"]

_SEPARATOR_CHARS = frozenset(" \t\n\r\f\v-\u2010\u2011\u2013\u00a0\u00b7\u30fb\uff65")
_SEPARATOR_RUN = re.compile("[" + re.escape("".join(sorted(_SEPARATOR_CHARS))) + "]+")
# Letters a Russian noun's case ending may add or replace after the stem.
_CYRILLIC_ENDING_MAX = 3
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяйь")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class GazetteerEntry:
    """One known name with everything the stages need about it."""

    name: str
    type: EntityType
    country: str | None = None
    location: GeoPoint | None = None
    is_country: bool = False
    # The first characters of its names in Han script (李 of 李在明): a Korean or Japanese
    # headline writes a person by that one character.
    han_initials: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WatchMatch:
    """One occurrence of a watched name: the entry, where it is, and whether the words
    were a demonym ("Chinese"), which names a country without being its name."""

    entry: GazetteerEntry
    start: int
    end: int
    demonym: bool


@dataclass(frozen=True)
class _Key:
    entry: GazetteerEntry
    acronym: str | None  # the letters, when the alias only matches in capitals
    demonym: bool
    inflects: bool  # a Cyrillic name: a case ending may follow


def _script(char: str) -> str:
    if "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff":
        return "hangul"
    if char.isalpha():
        name = unicodedata.name(char, "")
        if name.startswith(("CJK", "HIRAGANA", "KATAKANA")):
            return "han"
        return "cyrillic" if name.startswith("CYRILLIC") else "word"
    return "word" if char.isdigit() else "other"


def _acronym_letters(alias: str) -> str | None:
    letters = "".join(char for char in alias if char.isalpha())
    return letters if letters.isupper() and len(letters) <= 5 and letters.isascii() else None


def _normalised_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` normalised as aliases are, and for each of its characters the offset of
    the original character it came from.

    Where case folding keeps every character one character (nearly always), runs of
    separators are the only change and are found by a regular expression; a text with an
    "ß" or a ligature goes character by character.
    """
    folded = text.translate(FOLDING).casefold()
    if len(folded) != len(text):
        return _normalised_char_by_char(text)
    parts: list[str] = []
    offsets: list[int] = []
    last = 0
    for run in _SEPARATOR_RUN.finditer(folded):
        parts += (folded[last : run.start()], " ")
        offsets += range(last, run.start() + 1)
        last = run.end()
    parts.append(folded[last:])
    offsets += range(last, len(folded))
    return "".join(parts), offsets


def _normalised_char_by_char(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        if char in _SEPARATOR_CHARS:
            if chars and chars[-1] == " ":
                continue
            folded = " "
        else:
            folded = char.translate(FOLDING).casefold()
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(chars), offsets


def _stem(key: str) -> str:
    """A normalised Cyrillic name without its final vowel: "россия" is matched as "росси",
    as its ending changes ("России") and its stem does not."""
    if _script(key[-1]) == "cyrillic" and len(key) >= 5 and key[-1] in _CYRILLIC_VOWELS:
        return key[:-1]
    return key


class Gazetteer:
    """The watch list's entries by canonical name, and the matcher over all their aliases."""

    def __init__(self, sections: dict[str, list[WatchEntry]], version: str) -> None:
        self.version = version
        self.by_name: dict[str, GazetteerEntry] = {}
        self._keys: dict[str, _Key] = {}
        self._automaton = ahocorasick.Automaton()
        for section, items in sections.items():
            for item in items:
                entry = self._entry(item, SECTIONS[section], is_country=section == "countries")
                self.by_name[entry.name] = entry
                for alias in (entry.name, *item.aliases):
                    self._add(alias, entry, demonym=False)
                for alias in item.demonyms:
                    self._add(alias, entry, demonym=True)
        if self._keys:
            self._automaton.make_automaton()

    @classmethod
    def from_file(cls, path: Path) -> Gazetteer:
        """The validated watch list at ``path`` (raises ``WatchListError`` naming the fault)."""
        return cls(*read_watchlist(path))

    @staticmethod
    def _entry(item: WatchEntry, entity_type: EntityType, *, is_country: bool) -> GazetteerEntry:
        location = None
        if item.lat is not None and item.lon is not None:
            location = GeoPoint(lat=item.lat, lon=item.lon)
        initials = frozenset(
            alias[0] for alias in item.aliases if entity_type == "person" and _HAN.match(alias)
        )
        return GazetteerEntry(item.name, entity_type, item.country, location, is_country, initials)

    def _add(self, alias: str, entry: GazetteerEntry, *, demonym: bool) -> None:
        key = normalise(alias)
        inflects = _script(key[-1]) == "cyrillic" and len(key) >= 4
        key = _stem(key)
        acronym = _acronym_letters(alias)
        known = self._keys.get(key)
        if known is not None and known.acronym is None:
            acronym = None  # some spelling of this key matches in any case
        self._keys[key] = _Key(entry, acronym, demonym, inflects)
        self._automaton.add_word(key, key)

    def lookup(self, surface: str) -> GazetteerEntry | None:
        """The entry a surface form stands for, if it is one of the listed spellings (a
        Cyrillic one in any case: "Россия" and "России" are listed as "Росси")."""
        key = normalise(surface)
        found = self._keys.get(key) or self._keys.get(_stem(key)) if key else None
        return found.entry if found is not None else None

    def is_demonym(self, surface: str) -> bool:
        """Whether ``surface`` is listed as a demonym ("Chinese"), not a name."""
        key = self._keys.get(normalise(surface))
        return key is not None and key.demonym

    def matches(self, text: str) -> list[WatchMatch]:
        """Non-overlapping occurrences of watched names in ``text``, longest first."""
        if not self._keys or not text:
            return []
        folded, offsets = _normalised_with_offsets(text)
        candidates = []
        for last, key in self._automaton.iter(folded):
            first = last - len(key) + 1
            start, end = offsets[first], offsets[last] + 1
            found = self._accept(text, start, end, self._keys[key])
            if found is not None:
                candidates.append(found)
        taken: list[WatchMatch] = []
        occupied: set[int] = set()
        for match in sorted(candidates, key=lambda m: (m.start - m.end, m.start)):
            span = range(match.start, match.end)
            if not occupied.intersection(span):
                occupied.update(span)
                taken.append(match)
        return sorted(taken, key=lambda match: match.start)

    @staticmethod
    def _accept(text: str, start: int, end: int, key: _Key) -> WatchMatch | None:
        if key.acronym is not None:
            letters = "".join(char for char in text[start:end] if char.isalpha())
            if letters != key.acronym:
                return None
        first, last = _script(text[start]), _script(text[end - 1])
        before = _script(text[start - 1]) if start else "other"
        if first == "hangul" and before == "hangul":
            return None
        if first in {"word", "cyrillic"} and before in {"word", "cyrillic"}:
            return None
        if key.inflects:
            ending = 0
            while (
                end + ending < len(text)
                and ending < _CYRILLIC_ENDING_MAX
                and _script(text[end + ending]) == "cyrillic"
            ):
                ending += 1
            end += ending
        if (
            last in {"word", "cyrillic"}
            and end < len(text)
            and _script(text[end]) in {"word", "cyrillic"}
        ):
            return None
        return WatchMatch(key.entry, start, end, key.demonym)


@cache
def load_gazetteer() -> Gazetteer:
    """The watch list the settings name (``NEWSLOOM_WATCHLIST_FILE``), read once per process
    (stages look it up per entity); its version is a hash of the file, so an edit changes
    the stage versions."""
    return Gazetteer.from_file(get_settings().watchlist_file)
