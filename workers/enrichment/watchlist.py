"""The analyst-edited watch list: reading and validating the file.

Every entry is checked on load; a mistake is reported with the file, the entry (section,
position and name) and the field, so whoever edited the list knows what to fix.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from newsloom.errors import InvalidInputError
from newsloom.schema import EntityType

__all__ = ["FOLDING", "SECTIONS", "WatchEntry", "WatchListError", "normalise", "read_watchlist"]

SECTIONS: dict[str, EntityType] = {
    "countries": "place",
    "people": "person",
    "organizations": "organization",
    "places": "place",
    "weapons": "weapon",
}

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2013\u00b7\u30fb\uff65]+")


def _compatibility_ideographs() -> dict[int, str]:
    # Korean text often carries the CJK compatibility ideographs of its old national charset
    # (U+F9E1 for 李): each is one unified ideograph under NFKC.
    blocks = (range(0xF900, 0xFB00), range(0x2F800, 0x2FA20))
    folded = {code: unicodedata.normalize("NFKC", chr(code)) for block in blocks for code in block}
    return {code: char for code, char in folded.items() if len(char) == 1 and char != chr(code)}


# Characters folded one for one before matching, so offsets into the text stay valid:
# typographic apostrophes, and compatibility ideographs.
FOLDING: dict[int, str] = {ord("\u2019"): "'", ord("\u2018"): "'", **_compatibility_ideographs()}


def normalise(name: str) -> str:
    """The key spellings of one name share: case-folded, one space for any separator run."""
    return _SEPARATORS.sub(" ", name.translate(FOLDING)).strip().casefold()


class WatchListError(InvalidInputError):
    """The watch list file cannot be used; the message names file, entry and field."""


class WatchEntry(BaseModel):
    """One entry as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _coordinates_together(self) -> WatchEntry:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        if any(not alias.strip() for alias in (*self.aliases, *self.demonyms)):
            raise ValueError("an alias or demonym is empty")
        return self


def _entry_label(section: str, index: int, item: object) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    return f"{section}[{index}]" + (f" ({name})" if name else "")


def _parse(path: Path, data: Any) -> dict[str, list[WatchEntry]]:
    if not isinstance(data, dict):
        raise WatchListError(f"{path}: expected sections {sorted(SECTIONS)} at the top level")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise WatchListError(f"{path}: unknown section(s) {unknown}; use {sorted(SECTIONS)}")
    parsed: dict[str, list[WatchEntry]] = {}
    for section, items in data.items():
        if not isinstance(items, list):
            raise WatchListError(f"{path}: section {section!r} must be a list of entries")
        entries = []
        for index, item in enumerate(items):
            try:
                entries.append(WatchEntry.model_validate(item))
            except ValidationError as error:
                problems = "; ".join(
                    f"field {'.'.join(map(str, e['loc'])) or '(entry)'!r}: {e['msg']}"
                    for e in error.errors()
                )
                label = _entry_label(section, index, item)
                raise WatchListError(f"{path}: {label}: {problems}") from None
        parsed[section] = entries
    return parsed


def _check_aliases(path: Path, parsed: dict[str, list[WatchEntry]]) -> None:
    """One spelling must stand for one entry, or a match could not be resolved."""
    owners: dict[str, str] = {}
    for section, entries in parsed.items():
        for index, entry in enumerate(entries):
            for alias in {entry.name, *entry.aliases, *entry.demonyms}:
                owner = owners.setdefault(normalise(alias), entry.name)
                if owner != entry.name:
                    raise WatchListError(
                        f"{path}: {section}[{index}] ({entry.name}): field 'aliases': "
                        f"{alias!r} already names {owner!r}; remove it from one of them"
                    )


def read_watchlist(path: Path) -> tuple[dict[str, list[WatchEntry]], str]:
    """The validated entries of the file at ``path`` by section, and the file's version
    (a hash of its bytes, which the entities stage version includes)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise WatchListError(
            f"{path}: cannot read the watch list ({error.strerror}); check NEWSLOOM_WATCHLIST_FILE"
        ) from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise WatchListError(f"{path}: not valid YAML: {error}") from None
    parsed = _parse(path, data)
    _check_aliases(path, parsed)
    return parsed, f"watchlist-{hashlib.sha256(raw).hexdigest()[:10]}"
