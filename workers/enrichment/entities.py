"""Named entities: a statistical recogniser under the watch list's canonical layer.

Method: the watch list (``gazetteer``) finds the names analysts follow in every script and
resolves their spellings to one canonical name; a pattern catches weapon designators such as
``Hwasong-20`` or ``KN-25``; for English, spaCy's recogniser (``recogniser``) finds the other
people, organisations and places, on text whose ALL-CAPS and headline-case lines were
recased first (``truecase``); for Korean, Japanese, Chinese and Russian, the proper nouns
their morphological analysers' dictionaries mark (``propernouns``). Every span goes
through the canonical layer: a listed spelling takes the entry's name and type (a known
place is never a person), and within an article a surname alone or an acronym after the
full name counts as that entity. A span whose whole text is a well-known place (a country,
or a city big enough, by GeoNames) is that place, whatever the recogniser typed it; an
analyser's places take the index's English name. Languages with neither get the watch list
only; each article records which methods ran.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import chain, pairwise
from typing import Literal

from babel import Locale
from babel.languages import get_territory_language_info

from newsloom.errors import InvalidInputError
from newsloom.schema import Article, Entity, EntityType
from workers.enrichment.abbreviations import country_abbreviations
from workers.enrichment.gazetteer import load_gazetteer, normalise
from workers.enrichment.geotag import (
    native_countries,
    native_demonyms,
    resolve_place,
    well_known_place,
)
from workers.enrichment.places import place_index
from workers.enrichment.propernouns import METHODS as ANALYSER_METHODS
from workers.enrichment.propernouns import NameSpan, name_spans
from workers.enrichment.recogniser import ModelMention, model_language, model_name, recognise
from workers.enrichment.rules import rule_mentions
from workers.enrichment.score_tables import team_spans
from workers.enrichment.stage import record
from workers.enrichment.truecase import (
    datelines,
    is_all_caps,
    running_lowercase,
    sentence_initial,
    truecase,
)
from workers.enrichment.type_cues import cued_type

__all__ = [
    "VERSION",
    "Mention",
    "Recogniser",
    "article_entities",
    "extract_entities",
    "find_entities",
    "find_mentions",
    "methods",
    "recogniser_for",
]

METHOD_VERSION = "entities-10"
VERSION = f"{METHOD_VERSION}+{model_name()}+{load_gazetteer().version}"
WATCHLIST_METHOD = "watchlist"

# "analyser": the proper nouns of the article's language's morphological analyser.
Recogniser = Literal["model", "rules", "analyser", "none"]

# Designators: a name or a code of letters, then numbers ("Hwasong-18", "KN-23", "DF-41"),
# or one letter and two digits or more ("F-35A", "S-400", "J-20"), but not a group of
# countries ("G-20") or an interstate road ("I-95").
_WEAPON = re.compile(
    r"(?<![\w\-])(?:(?:[A-Z][a-z]+|[A-Z]{2,3})(?:-\d+[A-Z]?){1,3}|[A-FHJ-Z]-\d{2,3}[A-Z]?)(?![\w\-])"
)
# Words before a name that are not part of it ("President Lee", "Ms Bowles").
_TITLE_WORDS = frozenset((
    "President", "Minister", "Prime", "Leader", "Envoy", "Chief", "Spokesman", "Spokeswoman",
    "Secretary", "General", "Colonel", "Governor", "Ambassador", "Premier", "Chairman",
    "Admiral", "Commander", "Major", "Brigadier", "Lieutenant", "Mr", "Mrs", "Ms", "Dr",
    "Mr.", "Mrs.", "Ms.", "Dr.", "Sir", "Lord", "Lady", "Senator", "Sen.", "Rep.", "Judge",
    "Prof", "Prof.", "Professor", "Datuk", "Dato", "Dato'", "Datin", "Seri", "Tun", "Tunku",
    "King", "Queen", "Prince", "Princess", "Emperor", "Empress", "Crown", "Sultan", "Sheikh",
    "Pope", "Cardinal", "Archbishop", "Bishop", "Rabbi", "Imam", "Ayatollah", "Director",
    "Chancellor", "Mayor", "Deputy", "Vice", "Speaker", "Captain", "Coach", "Inspector",
    "Sergeant", "Officer", "Detective", "Justice", "Councillor", "Councilor", "Representative",
))  # fmt: skip
# Prefixes of navies' and coast guards' ship names: "BRP Datu Cabaylo" is a vessel, which the
# model, having no type for it, calls an organisation.
_SHIP_PREFIXES = frozenset(("USS", "USNS", "HMS", "HMAS", "HMCS", "HMNZS", "BRP", "INS", "ROKS",
                            "JS", "KRI", "RSS", "TCG", "ARA", "CNS"))  # fmt: skip
# Last words of the names of laws and treaties ("Political Funds Control Law", "Status of
# Forces Agreement"): the model has a type for them and still calls some organisations.
_LAW_HEADS = frozenset(("Law", "Act", "Agreement", "Treaty", "Accord", "Accords", "Pact",
                        "Charter", "Constitution", "Protocol", "Convention"))  # fmt: skip
_LEADING_ARTICLE = re.compile(r"^[\W_]*(?:(?:the|The|THE)\s+)?")
_TRAILING = re.compile(r"(?:['\u2019]s?|[\s.,;:!?\"'()\[\]\u201c\u201d-]|(?<=\s)\d[\d.,/:-]*)+$")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
# Time zones a story's times carry ("1200 GMT", "10 a.m. KST"), which the model reads as
# organisations. Their abbreviations are a closed set; no package here lists them.
_TIME_ZONES = frozenset((
    "GMT", "UTC", "BST", "WET", "CET", "CEST", "EET", "EEST", "MSK", "IST", "PKT", "ICT",
    "WIB", "SGT", "HKT", "KST", "JST", "AEST", "AEDT", "NZST", "NZDT", "EST", "EDT", "CST",
    "CDT", "MST", "MDT", "PST", "PDT", "AKST", "HST",
))  # fmt: skip
_LOWER_TAIL = re.compile(r"(?:\s+[a-z]+)+$")
# A reading in brackets after a name, in katakana or hiragana, maybe after an honorific:
# "尹錫悦(ユンソンニョル)", "白川俊介氏(しらかわ・しゅんすけ)".
_READING = re.compile(
    r"(?:氏|さん)?[\uff08(]\s*([\u3041-\u3096\u30a1-\u30fa\u30fb\u30fc]+)\s*[\uff09)]"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_GENERATIONS = frozenset(("Jr", "Sr", "II", "III", "IV"))
_NAME_BREAK = re.compile(r"\s*\n|\s[-\u2013\u2014]\s")
# Endings of English adjectives that never end a given name or a place's first word
# ("Mountainous", "Controversial", "Decisive"; not "Northern", which starts place names).
_ADJECTIVE_SUFFIXES = ("ous", "ful", "ive", "ial", "ical", "less", "able", "ible")
_MIN_ADJECTIVE = 6
# A middle word of a person's name this long may stand for the person alone.
_MIN_MIDDLE_NAME = 3
# Words in capitals a span needs to be taken for a slogan, not an acronym's expansion.
_MIN_SHOUTED_WORDS = 3
# An acronym written as a word ("Isis") is one only from this many letters ("Pl" is not).
_MIN_WORD_ACRONYM = 3
# Words an acronym's letters skip ("Office for Budget Responsibility" is OBR).
_ACRONYM_SKIPS = frozenset(("of", "for", "the", "and", "on", "in", "de", "to"))


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in a text, by character offsets."""

    canonical: str
    type: EntityType
    surface: str
    start: int
    end: int
    known: bool = False  # resolved by the watch list: its name and type are final
    demonym: bool = False  # "Chinese": counts toward the country without naming it
    surname: bool = False  # "尹氏": names the article's one person of that surname


class _Spans:
    """Non-overlapping character spans, kept sorted so a check costs a binary search (a
    long page has thousands of mentions; comparing each with all the others was quadratic)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Take ``[start, end)`` unless it overlaps a span already taken; return if taken."""
        index = bisect.bisect_right(self._starts, start)
        if index and self._ends[index - 1] > start:
            return False
        if index < len(self._starts) and self._starts[index] < end:
            return False
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        return True


def _watch_mentions(text: str) -> list[Mention]:
    return [
        Mention(
            match.entry.name,
            match.entry.type,
            text[match.start : match.end],
            match.start,
            match.end,
            known=True,
            demonym=match.demonym,
        )
        for match in load_gazetteer().matches(text)
    ]


def _weapon_mentions(text: str) -> Iterator[Mention]:
    for match in _WEAPON.finditer(text):
        yield Mention(match.group(), "weapon", match.group(), match.start(), match.end())


def _clean(text: str, start: int, end: int, entity_type: EntityType) -> tuple[int, int]:
    """A model span as a name: without a leading "the", lower-case words ("magician
    Prospero") or possessor ("Mexico's National ..."), the part before a bracket when the
    bracket holds the longer name ("Isis (Institute of ..."), a trailing possessive or
    punctuation, and for a person the titles before the name."""
    # A name is on one line and has no spaced dash in it: "PRESS\n\nAFP Global News" is a
    # heading and the next paragraph, "Issam Abdallah - found" a name and the sentence.
    while (broken := _NAME_BREAK.search(text, start, end)) is not None:
        # A heading in capitals above a paragraph: the name is below it.
        heading = "\n" in broken.group() and is_all_caps(_line_at(text, start))
        if heading and broken.end() < end:
            start = broken.end()
        else:
            end = broken.start()
    article = _LEADING_ARTICLE.match(text[start:end])
    if article:
        start += article.end()
    bracket = text.find("(", start, end)
    if bracket > start and end - bracket > bracket - start:
        start = bracket + 1
    elif bracket > start:
        end = bracket
    for word in re.finditer(r"\S+", text[start:end]):
        last = word.end() == end - start
        lower = word.group()[0].islower() and word.group().isalpha()
        possessor = word.group().endswith(("'s", "\u2019s"))
        title = entity_type == "person" and word.group() in _TITLE_WORDS
        if last or not (lower or possessor or title):
            start += word.start()
            break
    trailing = _TRAILING.search(text[start:end])
    if trailing and trailing.start() > 0:
        end = start + trailing.start()
    # Nor does it end in common words: "Interfax news agency", "Jiangsu province".
    lower_tail = _LOWER_TAIL.search(text, start, end)
    if lower_tail and lower_tail.start() > start:
        end = lower_tail.start()
    return start, end


def _is_portfolio(text: str, end: int) -> bool:
    """Whether a title follows the span ("Communications Minister", "Defence Secretary"):
    then the span names a portfolio, not an organisation."""
    following = text[end : end + 12].split()
    return bool(following) and following[0] in _TITLE_WORDS


@cache
def _language_names() -> frozenset[str]:
    """The English names of the world's languages (Unicode CLDR): "Nepali", "Welsh"."""
    return frozenset(Locale.parse("en").languages.values())


def _known(surface: str, start: int, end: int, *names: str) -> Mention | None:
    """The watch list's mention for a span one of whose ``names`` it lists."""
    gazetteer = load_gazetteer()
    for name in names:
        entry = gazetteer.lookup(name)
        if entry is not None:
            demonym = gazetteer.is_demonym(name)
            return Mention(entry.name, entry.type, surface, start, end, known=True, demonym=demonym)
    return None


def _sentence_opener_removed(text: str, start: int, end: int) -> Mention | None:
    """The name after a span's first word, when the span opens a sentence with an adjective
    and the rest is a name the watch list or the place index knows ("Mountainous Nepal" is
    Nepal): the recogniser took the capitalised opener for part of the name."""
    opener = text[start:end].split(None, 1)[0]
    if len(opener) < _MIN_ADJECTIVE or not opener.lower().endswith(_ADJECTIVE_SUFFIXES):
        return None
    rest = start + len(opener)
    rest += len(text[rest:end]) - len(text[rest:end].lstrip())
    surface = text[rest:end]
    known = _known(surface, rest, end, surface)
    if known is not None:
        return known
    if well_known_place([surface]) is not None:
        return Mention(surface, "place", surface, rest, end)
    return None


def _line_at(text: str, index: int) -> str:
    """The line of ``text`` that holds ``index``."""
    end = text.find("\n", index)
    return text[text.rfind("\n", 0, index) + 1 : end if end >= 0 else len(text)]


def _shouted(text: str, start: int, words: list[str]) -> bool:
    """Whether a span of several words is all capitals on a line that is not: a slogan or
    an emphasis, which the recogniser reads as a name (lines in capitals were recased)."""
    if len(words) < _MIN_SHOUTED_WORDS or not all(w.isupper() and len(w) > 1 for w in words):
        return False
    return not is_all_caps(_line_at(text, start))


@cache
def _calendar_words() -> frozenset[str]:
    """English day and month names (CLDR), capitalised but never part of a name."""
    locale = Locale.parse("en")
    names = [*locale.days["format"]["wide"].values(), *locale.months["format"]["wide"].values()]
    return frozenset(names)


_WORD_BEFORE = re.compile(r"(?<![\w.'\u2019-])([A-Z][a-z]+) $")


def _extended(text: str, start: int, entity_type: EntityType) -> int:
    """Where a person's or organisation's name starts when the capitalised word right before
    the span, inside a sentence, is part of it ("Just" of "Just Stop Oil", "Mohd" of "Mohd
    Faiz Abdullah"): mid-sentence, only a name's own words take a capital."""
    if entity_type not in {"person", "organization"}:
        return start
    before = _WORD_BEFORE.search(text, max(0, start - 20), start)
    if before is None or sentence_initial(text, before.start()):
        return start
    word = before.group(1)
    if word in _TITLE_WORDS or word in _calendar_words() or load_gazetteer().lookup(word):
        return start
    if well_known_place([word]) is not None or word in place_index().demonyms:
        return start
    return before.start()


def _resolve(
    text: str, start: int, end: int, entity_type: EntityType, cased: str | None = None
) -> Mention | None:
    """A recognised span through the canonical layer: a listed spelling takes its entry.

    ``cased`` is the text as the recogniser read it (see truecase): a dateline's place
    ("MEXICO CITY (AP) -") is named in the case it gave it. Not a name on an ALL-CAPS line:
    named like the article's other mentions, a headline's misread type would join their vote
    (CoNLL dev F1 .717 -> .715 when it did)."""
    start = _extended(text, start, entity_type)
    start, end = _clean(text, start, end, entity_type)
    surface = text[start:end]
    if not surface.strip() or not any(char.isalpha() for char in surface):
        return None
    if surface.lower() == surface != surface.upper():
        return None  # "congress": a name in a cased script is capitalised
    if entity_type == "organization" and " " not in surface and _is_portfolio(text, end):
        return None
    words = surface.split()
    if words[0] in _SHIP_PREFIXES or words[-1] in _LAW_HEADS or surface in _TIME_ZONES:
        return None
    name = surface
    recased = cased[start:end] if cased is not None else surface
    if recased != surface and surface.isupper() and not is_all_caps(_line_at(text, start)):
        name = recased
    known = _known(surface, start, end, surface, name)
    if known is not None:
        return known
    if len(words) > 1 and sentence_initial(text, start):
        rest = _sentence_opener_removed(text, start, end)
        if rest is not None:
            return rest
    if _shouted(text, start, words):
        return None  # "MAKE AMERICA RICH AGAIN": a slogan in capitals, not a name
    if entity_type == "person" and all(word in _TITLE_WORDS for word in words):
        return None  # "Datuk Seri": titles without the name
    demonym = _demonym(surface, start, end)
    if demonym is not None:
        return demonym
    place = well_known_place([surface, name])
    if place is None and text[max(0, start - 4) : start].lower() == "the ":
        # "The Hague", whose "The" the span lost with the article it usually is.
        place = well_known_place([f"The {surface}"])
        name = place.name if place is not None else name
    if place is None and surface in _language_names():
        return None  # "Welsh": a language or a people, none of our types
    cue = cued_type(text, start)
    if cue is not None:
        entity_type = cue  # "the newspaper Reforma", not the towns of that name
    elif entity_type != "place" and place is not None:
        entity_type = "place"
    return Mention(" ".join(name.split()), entity_type, surface, start, end)


def _nationality(text: str, start: int, end: int) -> Mention | None:
    """A nationality the model found, when it is a country's demonym ("a Thai hospital",
    "Nepali officials"): it counts toward the country, as the watch list's demonyms do; when
    it is a country's very name, the country.
    Other groups it labels so ("Republicans", "Muslims") are none of our types."""
    surface = text[start:end]
    known = _known(surface, start, end, surface)
    if known is not None:
        return known if known.type == "place" else None
    demonym = _demonym(surface, start, end)
    if demonym is not None:
        return demonym
    place = well_known_place([surface])
    if place is not None and place.kind == "country":
        # "Tajikistan" labelled a nationality: a country's name is the country.
        return Mention(" ".join(surface.split()), "place", surface, start, end)
    return None


@cache
def _language_countries() -> dict[str, str]:
    """English names of languages official in one country only, and spoken by more people
    there than anywhere else, with its code ("Nepali": NP), from CLDR's language shares and
    GeoNames' populations: such a language's name is also its people's ("Nepali airspace").
    Not Catalan (Andorra's, but mostly spoken in Spain) nor Cantonese (Macao's)."""
    countries = place_index().countries
    official: dict[str, set[str]] = {}
    speakers: dict[str, dict[str, float]] = {}
    for territory in map(str, Locale.parse("en").territories):
        population = countries[territory].population if territory in countries else 0
        for language, info in get_territory_language_info(territory).items():
            share = float(info.get("population_percent") or 0)
            speakers.setdefault(language, {})[territory] = share * population
            if info.get("official_status") in {"official", "de_facto_official"}:
                official.setdefault(language, set()).add(territory)
    names = Locale.parse("en").languages
    return {
        names[language]: code
        for language, codes in official.items()
        if len(codes) == 1 and language in names
        for code in codes
        if max(speakers[language], key=speakers[language].__getitem__) == code
    }


def _demonym(surface: str, start: int, end: int) -> Mention | None:
    """The country whose people ``surface`` names ("Rwandan", of a country the watch list
    does not follow; "Nepali", a language of that country alone), as a mention that counts
    toward it without naming it."""
    code = place_index().demonyms.get(surface) or _language_countries().get(surface)
    if code is None or code not in place_index().countries:
        return None
    country = place_index().countries[code].name
    return Mention(country, "place", surface, start, end, demonym=True)


def _resolve_name(text: str, span: NameSpan) -> Mention | None:
    """An analyser's proper noun through the canonical layer: the watch list's entry for it,
    else the place the index knows by it (under its English name), else its own name if the
    dictionary gave it a type of ours."""
    surface = text[span.start : span.end]
    known = _known(surface, span.start, span.end, surface, span.name)
    if known is not None:
        return known
    if span.surname:
        return Mention(span.name, "person", surface, span.start, span.end, surname=True)
    # One character (北 for North Korea, 金 for Kim or for the Congo) is a name only where a
    # list says so: the watch list, or the country abbreviations read in context.
    if len(surface) < 2:
        return None
    names = [surface, span.name]
    place = resolve_place(names, set()) if span.type in {None, "place"} else well_known_place(names)
    if place is not None:
        return Mention(place.name, "place", surface, span.start, span.end)
    if span.type is None or len(span.name) < 2:
        return None
    return Mention(span.name, span.type, surface, span.start, span.end)


def _combine(watched: list[Mention], found: list[Mention]) -> list[Mention]:
    """Watch-list and weapon mentions, then recognised ones where those leave room.

    ``watched`` must not overlap itself, nor ``found`` itself. An organisation the model
    finds around a watched place or demonym keeps its whole name ("Bank of England",
    "North Korean Foreign Ministry"), and so does a person of a watched person's surname
    ("Ivanka Trump"); otherwise the watch list wins an overlap.
    """
    watched = sorted(watched, key=lambda m: m.start)
    starts = [m.start for m in watched]
    ends = [m.end for m in watched]
    dropped: set[int] = set()
    chosen: list[Mention] = []
    for mention in found:
        overlap = range(
            bisect.bisect_right(ends, mention.start), bisect.bisect_left(starts, mention.end)
        )
        if not overlap:
            chosen.append(mention)
            continue
        inside = [watched[index] for index in overlap]
        around = mention.start <= inside[0].start and inside[-1].end <= mention.end
        if around and _fuller(mention, inside):
            # "Donald J. Trump" around a watched "Trump": the watched person, in full.
            mention = replace(mention, canonical=inside[0].canonical, known=True)
        # "Владимира Путина": an analyser's span, resolved to the entry the watch list
        # matched in part of it ("Путина"), is the whole mention.
        same = mention.known and all(m.canonical == mention.canonical for m in inside)
        named_around = mention.type == "organization" and all(
            m.type == "place" and m.end - m.start < mention.end - mention.start for m in inside
        )
        if around and (same or named_around or _relative(mention, inside)):
            dropped.update(overlap)
            chosen.append(mention)
    kept = [m for index, m in enumerate(watched) if index not in dropped]
    return sorted([*kept, *chosen], key=lambda m: m.start)


def _one_watched_person(found: Mention, watched: list[Mention]) -> bool:
    return (
        found.type == "person"
        and not found.known
        and len(watched) == 1
        and watched[0].type == "person"
    )


def _same_first_name(found: Mention, watched: list[Mention]) -> bool:
    return found.surface.split()[0] == watched[0].canonical.split()[0]


def _relative(found: Mention, watched: list[Mention]) -> bool:
    """Whether ``found``, a person's full name around a watched person's, names someone else
    of that name: one ending in the watched surname with another first name ("Ivanka Trump"
    around "Trump"), or one ending with a generation ("Donald Trump Jr")."""
    if not _one_watched_person(found, watched):
        return False
    if watched[0].end == found.end:
        return not _same_first_name(found, watched)
    return found.surface.split()[-1].rstrip(".,") in _GENERATIONS


def _fuller(found: Mention, watched: list[Mention]) -> bool:
    """Whether ``found`` is the watched person's name written in full another way
    ("Donald J. Trump" around "Trump"): it ends in the surname and starts with the same
    first name. In another script (唐纳德·特朗普 around 特朗普) the first name cannot be
    compared with the canonical one, and a watched person is named so far more often than
    a relative is."""
    if not (_one_watched_person(found, watched) and watched[0].end == found.end):
        return False
    return not found.surface[0].isascii() or _same_first_name(found, watched)


# What separates a given name from a surname in the region's scripts: nothing, a space, a
# middle dot (ドナルド・トランプ, 도널드 트럼프).
_NAME_JOINS = frozenset(("", " ", "\u00b7", "\u30fb", "\uff65"))


def _given_names_joined(texts: Sequence[str], mentions: list[list[Mention]]) -> list[list[Mention]]:
    """A given name the analyser found on its own right before a watched person's name, in
    another script than Latin ("ドナルド" + "トランプ"), is part of that person's mention."""
    result = []
    for text, found in zip(texts, mentions, strict=True):
        joined: list[Mention] = []
        for mention in found:
            given = joined[-1] if joined else None
            if (
                given is not None
                and mention.known
                and mention.type == given.type == "person"
                and not given.known
                and not given.surname
                and not given.surface[0].isascii()
                and " " not in given.surface
                and text[given.end : mention.start] in _NAME_JOINS
            ):
                joined[-1] = replace(
                    mention, surface=text[given.start : mention.end], start=given.start
                )
                continue
            joined.append(mention)
        result.append(joined)
    return result


def _with_readings(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with each reading given in brackets after a name written in kanji
    ("尹錫悦(ユンソンニョル)", "白川俊介氏(しらかわ・しゅんすけ)") as another mention of that
    name, as Japanese papers write foreign names and spell out Japanese ones; the reading is
    a spelling, and the pieces of it the analyser took for names of their own go."""
    by_span = {(m.start, m.end): m for m in mentions}
    for mention in mentions:
        reading = _READING.match(text, mention.end)
        if reading is None or not _HAN.search(mention.surface):
            continue
        start, end = reading.span(1)
        inside = [key for key, m in by_span.items() if start <= m.start and m.end <= end]
        crossing = [m for m in by_span.values() if m.start < end and start < m.end]
        if len(crossing) == len(inside):
            for key in inside:
                del by_span[key]
            by_span[start, end] = replace(mention, surface=text[start:end], start=start, end=end)
    return sorted(by_span.values(), key=lambda m: m.start)


def _layered(text: str) -> list[Mention]:
    """The watch list's mentions with the weapon designators it does not already name."""
    taken = _Spans()
    mentions = []
    for mention in [*_watch_mentions(text), *_weapon_mentions(text)]:
        if taken.add(mention.start, mention.end):
            mentions.append(mention)
    return mentions


def _native_country(text: str, start: int, end: int, code: str) -> Mention:
    """A country named in the text's language, under the watch list's name if it has one."""
    name = place_index().countries[code].name
    return _known(text[start:end], start, end, name) or Mention(
        name, "place", text[start:end], start, end
    )


def _analysed(texts: Sequence[str], language: str | None) -> list[list[Mention]]:
    """Each text's proper nouns by the analyser of ``language``, through the canonical layer."""
    if language not in ANALYSER_METHODS:
        raise InvalidInputError(
            f"no analyser reads language {language!r} (they read {sorted(ANALYSER_METHODS)}): "
            "pass the recogniser that recogniser_for(language) gives"
        )
    result = []
    for text in texts:
        # Country names, several words the analyser sees one by one ("Южной Кореи"), and
        # the analyser's names; the longer wins an overlap ("イスラエル軍" is a body).
        candidates = [
            _native_country(text, start, end, code)
            for start, end, code in native_countries(text, language)
        ]
        # Adjectives and one-character abbreviations count toward the country they stand for;
        # a country's name wins over the abbreviations inside it (북한 over 북 + 한).
        abbreviated = list(country_abbreviations(text, language))
        candidates += [
            replace(_native_country(text, start, end, code), demonym=True)
            for start, end, code in [*native_demonyms(text, language), *abbreviated]
        ]
        # 中美关系 ("China-US relations"), which jieba tags an organisation, is two countries.
        run_starts = {start for (start, end, _), (following, _, _) in pairwise(abbreviated)
                      if end == following}  # fmt: skip
        candidates += [
            m
            for span in name_spans(text, language)
            if (m := _resolve_name(text, span))
            and not (m.type == "organization" and m.start in run_starts)
        ]
        taken = _Spans()
        mentions = [
            m
            for m in sorted(candidates, key=lambda m: m.start - m.end)
            if taken.add(m.start, m.end)
        ]
        result.append(sorted(mentions, key=lambda m: m.start))
    return result


def _recognised(
    texts: Sequence[str], recogniser: Recogniser, language: str | None
) -> list[list[Mention]]:
    """Each text's names the recogniser finds, through the canonical layer, not overlapping."""
    if recogniser == "none":
        return [[] for _ in texts]
    if recogniser == "analyser":
        return _analysed(texts, language)
    if recogniser == "rules":
        cased = list(texts)
        spans = [
            [ModelMention(kind, start, end) for kind, start, end in rule_mentions(text)]
            for text in texts
        ]
    else:
        cased = truecase(texts)
        spans = recognise(cased)
    result = []
    for text, found, cased_text in zip(texts, spans, cased, strict=True):
        taken = _Spans()
        mentions = []
        for span in found:
            if span.nationality:
                mention = _nationality(text, span.start, span.end)
            else:
                mention = _resolve(text, span.start, span.end, span.type, cased_text)
            if mention is not None and taken.add(mention.start, mention.end):
                mentions.append(mention)
        for start, end in datelines(text):
            # A dateline names where the story was filed; the model, which reads it as a
            # sentence's first word, often misses it ("PUTRAJAYA, Nov 22 —").
            place = resolve_place([cased_text[start:end]], set())
            if place is not None and taken.add(start, end):
                mentions.append(Mention(place.name, "place", text[start:end], start, end))
        result.append(sorted(mentions, key=lambda m: m.start))
    return result


def _is_short_name(word: str) -> bool:
    """Whether ``word`` can stand alone for a person: a capitalised word of letters, in any
    alphabet ("Ebrard", "Ибрагим")."""
    return len(word) > 1 and word.isalpha() and word[0].isupper() and word[1:].islower()


def _unique_owners(pairs: Iterator[tuple[str, str]]) -> dict[str, str]:
    owners: dict[str, set[str]] = {}
    for word, name in pairs:
        owners.setdefault(word, set()).add(name)
    return {word: next(iter(names)) for word, names in owners.items() if len(names) == 1}


def _name_words(mentions: list[Mention]) -> Iterator[tuple[str, str]]:
    """The words of each full name of a person that may stand for it, with the name: the
    first and the last, and a middle one of three letters or more ("Faiz" of Mohd Faiz
    Abdullah, where "Mohd" is a prefix of many names)."""
    for mention in mentions:
        words = mention.canonical.split()
        if mention.type == "person" and len(words) > 1:
            middle = {word for word in words[1:-1] if len(word) >= _MIN_MIDDLE_NAME}
            for word in {words[0], words[-1], *middle}:
                if _is_short_name(word) and word not in _TITLE_WORDS:
                    yield word, mention.canonical


def _short_names(mentions: list[Mention]) -> dict[str, str]:
    """Single words that stand for one person of the article: the first or last word of a
    full name found ("Ishiba" for Shigeru Ishiba, "Liu" for Liu Jianchao), unless two of its
    people share the word or it is a title ("General")."""
    return _unique_owners(_name_words(mentions))


def _shared_words(mentions: list[Mention]) -> set[str]:
    """Words two people of the article share ("Kim"): alone, they name neither."""
    owners: dict[str, set[str]] = {}
    for word, name in _name_words(mentions):
        owners.setdefault(word, set()).add(name)
    return {word for word, names in owners.items() if len(names) > 1}


def _longer_names(mentions: list[Mention]) -> dict[str, str]:
    """Names the article also writes longer, ending the same way ("Communist Party" after
    "Chinese Communist Party"): articles shorten a name once introduced. Only where one
    longer name of the same type fits."""
    names = {(m.canonical, m.type) for m in mentions}
    return _unique_owners(
        (short, full)
        for short, kind in names
        if " " in short or kind == "organization"
        for full, other in names
        if other == kind and normalise(full).endswith(f" {normalise(short)}")
    )


def _name_endings(mentions: list[Mention]) -> dict[str, str]:
    """The last words of the article's long organisation names, as the article may write
    them alone ("Communist Party" for the Chinese Communist Party)."""
    return _unique_owners(
        (" ".join(words[-size:]), m.canonical)
        for m in mentions
        if m.type == "organization" and len(words := m.canonical.split()) > 2
        for size in range(2, len(words))
        if words[-size][:1].isupper()
    )


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _ACRONYM_SKIPS]
    return "".join(word[0] for word in words) if len(words) > 1 else ""


def _acronyms(mentions: list[Mention], lowercase: frozenset[str]) -> dict[str, str]:
    """Acronyms of the article's organisations and places by their initials ("CAAN" for
    Civil Aviation Authority of Nepal), each standing for one name only. Of three letters
    or more, also as a word ("Isis", "Seri"): house styles that write acronyms so are
    common, and the article must never write the word in lower case (a "cat")."""
    return _unique_owners(
        (form, mention.canonical)
        for mention in mentions
        if mention.type in {"organization", "place"} and not mention.demonym
        if (initials := _initials(mention.canonical)).isupper() and len(initials) >= 2
        for form in {initials, initials.capitalize()}
        if form == initials or (len(form) >= _MIN_WORD_ACRONYM and form.lower() not in lowercase)
    )


def _handles(mentions: list[Mention]) -> dict[str, str]:
    """Social-media handles of the article's names of two words or more, as articles quote
    them ("the White House (@WhiteHouse)"): the name's letters and digits after an @, as
    written or in lower case."""
    return _unique_owners(
        (f"@{form}", mention.canonical)
        for mention in mentions
        if " " in mention.canonical and not mention.demonym
        for squashed in [re.sub(r"\W", "", mention.canonical)]
        for form in {squashed, squashed.lower()}
    )


def _split_joined(mentions: list[list[Mention]]) -> list[list[Mention]]:
    """Spans that are two of the document's names side by side, split into the two: the
    model glues names a headline juxtaposes ("Sigourney Weaver West End play")."""
    names = {m.surface: m for found in mentions for m in found if not (m.demonym or m.surname)}
    result = []
    for found in mentions:
        split = []
        for m in found:
            words = m.surface.split(" ")
            cuts = range(1, len(words)) if not m.known and len(words) > 2 else range(0)
            pairs = ((" ".join(words[:cut]), " ".join(words[cut:])) for cut in cuts)
            parts = next(((h, t) for h, t in pairs if h in names and t in names), None)
            if parts is None:
                split.append(m)
                continue
            head, tail = parts
            split.append(replace(names[head], surface=head, start=m.start, end=m.start + len(head)))
            split.append(replace(names[tail], surface=tail, start=m.end - len(tail), end=m.end))
        result.append(split)
    return result


def _repeats(
    texts: Sequence[str], mentions: list[list[Mention]], lowercase: frozenset[str]
) -> dict[str, str]:
    """Names as the model found them written mid-sentence, to find where the document
    writes them again: the model reads each occurrence in its own context and misses some
    ("Pirelli" found in one sentence, not in the next). A capital that opens a sentence or
    a line in capitals says nothing, so those finds are not repeated; nor is a surface the
    document also writes in lower case, or one that stands for two names."""
    return _unique_owners(
        (m.surface, m.canonical)
        for text, found in zip(texts, mentions, strict=True)
        for m in found
        if not (m.known or m.demonym or m.surname)
        and len(m.surface) > 1
        and m.surface[0].isupper()
        and m.surface.lower() not in lowercase
        and not sentence_initial(text, m.start)
        and not is_all_caps(_line_at(text, m.start))
    )


# A word right before or after a name, with no punctuation between them.
_TOUCHING_BEFORE = re.compile(r"(\w[\w'.-]*) $")
_TOUCHING_AFTER = re.compile(r" (\w[\w'.-]*)")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether no capitalised word touches ``text[start:end]``: one that does may make a
    longer name of it ("Gulf" of "Gulf War"), which the repeated name is not. A word that
    opens the sentence ("The") has its capital from its place."""
    before = _TOUCHING_BEFORE.search(text, max(0, start - 40), start)
    after = _TOUCHING_AFTER.match(text, end)
    if before and (not before.group(1)[0].isupper() or sentence_initial(text, before.start(1))):
        before = None
    return not (before or (after and after.group(1)[0].isupper()))


# Latin letters a Korean syllable's initial consonant is romanised with, in the Revised
# Romanization and in the older spellings names keep (김대중 Kim Dae-jung, DJ; 박 Park); a
# silent initial takes its vowel's letter (영 Young, YS of 김영삼). Written out here because
# only the initials are needed, from Unicode's arithmetic layout of Hangul syllables.
_HANGUL_INITIALS = (
    "GK", "K", "N", "DT", "T", "RL", "M", "BP", "P", "S", "S", "", "JC", "J", "C", "K", "T",
    "P", "H",
)  # fmt: skip
_HANGUL_VOWEL_LETTERS = "AAYYEEYYOWWOYUWWWYEUI"
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_HANGUL_PER_INITIAL, _HANGUL_PER_VOWEL = 588, 28
_KOREAN_FULL_NAME = 3  # a surname and a given name of two syllables


def _syllable_letters(syllable: str) -> str:
    index = ord(syllable) - _HANGUL_FIRST
    initial = _HANGUL_INITIALS[index // _HANGUL_PER_INITIAL]
    vowel = _HANGUL_VOWEL_LETTERS[index % _HANGUL_PER_INITIAL // _HANGUL_PER_VOWEL]
    return initial or vowel


def _korean_initials(name: str) -> set[str]:
    """The Latin initials the Korean press writes a politician by, from the two syllables of
    the given name: "DJ" for 김대중, "YS" for 김영삼, "MB" for 이명박."""
    if len(name) != _KOREAN_FULL_NAME or not all(
        _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST for char in name
    ):
        return set()
    first, second = (_syllable_letters(char) for char in name[1:])
    return {a + b for a in first for b in second}


def _initialisms(mentions: list[Mention]) -> Iterator[tuple[str, str]]:
    """Initials that stand for a person of the article: of the first name and the surname
    (a reporter's "A. K." under a quote, in any alphabet), and a Korean given name's
    romanised initials ("DJ")."""
    for mention in mentions:
        if mention.type != "person" or mention.surname:
            continue
        for name in {mention.surface, mention.canonical}:
            words = name.split()
            if len(words) > 1 and words[0][:1].isupper() and words[-1][:1].isupper():
                yield f"{words[0][0]}. {words[-1][0]}.", mention.canonical
            for initials in _korean_initials(name):
                yield initials, mention.canonical


def _short_forms(
    texts: Sequence[str], mentions: list[list[Mention]], lowercase: frozenset[str]
) -> list[list[Mention]]:
    """Every text's mentions with surnames and acronyms resolved to the full names found
    in any of the texts, including their occurrences no recogniser marked."""
    everything = [m for found in mentions for m in found]
    people = _short_names(everything)
    acronyms = _acronyms(everything, lowercase)
    types = {m.canonical: m.type for m in everything}
    shorts = {
        **_unique_owners(_initialisms(everything)),
        **_name_endings(everything),
        **people,
        **acronyms,
        **_handles(everything),
    }
    shared = _shared_words(everything)
    longer = _longer_names(everything)
    # Where the document writes a name again, unmarked: under its short form's full name, or
    # as the name itself (its type is settled by the document's majority afterwards).
    unmarked = {
        surface: name
        for surface, name in {**_repeats(texts, mentions, lowercase), **shorts}.items()
        if surface not in shared
    }
    if not unmarked and not shared and not longer:
        return mentions
    # Longest first: an alternation takes the first alternative that matches.
    alternatives = "|".join(map(re.escape, sorted(unmarked, key=len, reverse=True)))
    pattern = re.compile(r"(?<![\w\-@])(?:" + alternatives + r")(?![\w\-])")
    result = []
    for text, found in zip(texts, mentions, strict=True):
        resolved = []
        taken = _Spans()
        for mention in found:
            if mention.canonical in shared and not mention.known:
                taken.add(mention.start, mention.end)
                continue
            full = None
            if not mention.known:
                full = shorts.get(mention.canonical) or longer.get(mention.canonical)
            if full is not None:
                mention = replace(mention, canonical=full, type=types[full])
            resolved.append(mention)
            taken.add(mention.start, mention.end)
        for match in pattern.finditer(text) if unmarked else ():
            written = match.group()
            if written not in shorts and not _stands_alone(text, match.start(), match.end()):
                continue
            if taken.add(match.start(), match.end()):
                full = unmarked[written]
                resolved.append(Mention(full, types[full], written, match.start(), match.end()))
        result.append(sorted(resolved, key=lambda m: m.start))
    return result


def _surnames(mentions: list[list[Mention]]) -> list[list[Mention]]:
    """Surnames written alone with an honorific ("尹氏") as the article's one person whose
    full name, written without spaces, starts with them ("尹錫悦"); a surname of nobody
    the article names in full is dropped, as it says too little. A watched person's
    surname is also the first character of a name of theirs in Han script (李 of 李在明),
    as Korean headlines write it beside the name in Hangul."""
    people = [m for found in mentions for m in found if m.type == "person" and not m.surname]
    watch_list = load_gazetteer().by_name
    owners = _unique_owners(
        chain(
            (
                (m.surface[:size], m.canonical)
                for m in people
                if " " not in m.surface
                for size in range(1, len(m.surface))
            ),
            (
                (initial, m.canonical)
                for m in people
                if m.known and m.canonical in watch_list
                for initial in watch_list[m.canonical].han_initials
            ),
        )
    )
    return [
        [
            replace(m, canonical=owners[m.canonical]) if m.surname else m
            for m in found
            if not m.surname or m.canonical in owners
        ]
        for found in mentions
    ]


_VESSEL = re.compile(
    r"\b(?:"
    + "|".join(sorted(_SHIP_PREFIXES))
    + r")\s+(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})"
)


def _without_vessels(texts: Sequence[str], mentions: list[list[Mention]]) -> list[list[Mention]]:
    """Mentions less the ships the texts name with a prefix ("BRP Datu Cabaylo", later
    "the Datu Cabaylo"): a vessel is none of our types."""
    vessels = {match["name"] for text in texts for match in _VESSEL.finditer(text)}
    if not vessels:
        return mentions
    return [[m for m in found if m.known or m.canonical not in vessels] for found in mentions]


def _consistent_types(mentions: list[list[Mention]]) -> list[list[Mention]]:
    """One type per name across a document: the type most of its mentions were given (the
    model types each occurrence on its own context, and misreads some)."""
    votes: dict[str, Counter[EntityType]] = {}
    for found in mentions:
        for m in found:
            if not m.known:
                votes.setdefault(m.canonical, Counter())[m.type] += 1
    chosen = {name: counts.most_common(1)[0][0] for name, counts in votes.items()}
    return [
        [m if m.known else replace(m, type=chosen[m.canonical]) for m in found]
        for found in mentions
    ]


def _without_common_words(
    texts: Sequence[str], mentions: list[list[Mention]], lowercase: frozenset[str]
) -> list[list[Mention]]:
    """Mentions less the one-word names whose every occurrence opens a sentence while the
    document writes the word in lower case elsewhere ("Wildfires in California ..." and
    "wildfires"): the capital came from the position, and the word is a common one."""
    common: dict[str, bool] = {}
    for text, found in zip(texts, mentions, strict=True):
        for m in found:
            if m.known or m.canonical != m.surface or " " in m.surface:
                common[m.canonical] = False
                continue
            opener = sentence_initial(text, m.start) and m.surface.lower() in lowercase
            common[m.canonical] = common.get(m.canonical, True) and opener
    return [[m for m in found if not common.get(m.canonical)] for found in mentions]


def _teams(
    texts: Sequence[str], mentions: list[list[Mention]], lowercase: frozenset[str]
) -> list[list[Mention]]:
    """Mentions with the teams of results and standings lines as organisations (see
    score_tables): a place found there becomes one, and a name found nowhere is added,
    unless the document writes it as a common word too ("Yes 12 No 3")."""
    result = []
    for text, found in zip(texts, mentions, strict=True):
        teams = set(team_spans(text))
        if not teams:
            result.append(found)
            continue
        taken = _Spans()
        kept = []
        for m in found:
            if (m.start, m.end) in teams and m.type == "place" and not m.known:
                m = replace(m, type="organization", demonym=False)
            kept.append(m)
            taken.add(m.start, m.end)
        for start, end in sorted(teams):
            surface = text[start:end]
            if surface.lower() not in lowercase and taken.add(start, end):
                name = surface.title() if surface.isupper() else surface
                kept.append(Mention(name, "organization", surface, start, end))
        result.append(sorted(kept, key=lambda m: m.start))
    return result


def find_mentions(
    documents: Sequence[Sequence[str]], *, recogniser: Recogniser, language: str | None = None
) -> list[list[list[Mention]]]:
    """For each document (its texts: title, body), each text's mentions, with character
    offsets into that text; documents go through the model together. ``language`` names
    the analyser when ``recogniser`` is ``"analyser"``."""
    flat = [text for texts in documents for text in texts]
    found = iter(_recognised(flat, recogniser, language))
    result = []
    for texts in documents:
        per_text = [_with_readings(text, _combine(_layered(text), next(found))) for text in texts]
        lowercase = running_lowercase(texts)  # the words the document writes in lower case
        per_text = _split_joined(_without_vessels(texts, per_text))
        per_text = _given_names_joined(texts, per_text)
        per_text = _teams(texts, per_text, lowercase)
        resolved = _surnames(_short_forms(texts, per_text, lowercase))
        resolved = _without_common_words(texts, resolved, lowercase)
        result.append(_consistent_types(resolved))
    return result


def _merge(mentions: list[Mention]) -> list[Entity]:
    """Mentions merged into entities by canonical name, most mentioned first; an entity
    takes the watch list's type, else the type most of its mentions were given."""
    groups: dict[str, list[Mention]] = {}
    for mention in mentions:
        groups.setdefault(normalise(mention.canonical), []).append(mention)
    entities = []
    for group in groups.values():
        known = [m for m in group if m.known]
        votes = Counter(m.type for m in known or group)
        surfaces = list(dict.fromkeys(m.surface for m in group))
        entities.append(
            Entity(
                name=(known or group)[0].canonical,
                type=votes.most_common(1)[0][0],
                mentions=len(group),
                surface_forms=surfaces,
            )
        )
    return sorted(entities, key=lambda entity: (-entity.mentions, entity.name))


def recogniser_for(language: str | None) -> Recogniser:
    """The model where it reads the article's language (or the language is unknown), the
    language's analyser where there is one, else nothing but the watch list."""
    if language in {None, model_language()}:
        return "model"
    return "analyser" if language in ANALYSER_METHODS else "none"


def methods(recogniser: Recogniser, language: str | None = None) -> str:
    """What ran, as recorded on the article: ``model:<pipeline>+watchlist``,
    ``unidic-propn+watchlist`` (an analyser's proper nouns), ``watchlist``."""
    ran = {
        "model": [f"model:{model_name()}"],
        "rules": ["rules"],
        "analyser": [ANALYSER_METHODS.get(language or "", "")],
        "none": [],
    }
    return "+".join([*ran[recogniser], WATCHLIST_METHOD])


def find_entities(text: str, language: str | None = "en") -> list[Entity]:
    """Entities in ``text``, merged by canonical name, most mentioned first."""
    ((mentions,),) = find_mentions([[text]], recogniser=recogniser_for(language), language=language)
    return _merge(mentions)


def article_entities(article: Article, recogniser: Recogniser) -> list[Entity]:
    """The entities of the article's title and body together, found by ``recogniser``."""
    (per_text,) = find_mentions(
        [[article.title, article.body]], recogniser=recogniser, language=article.language
    )
    return _merge([m for mentions in per_text for m in mentions])


def extract_entities(article: Article) -> Article:
    """Set ``enrichment.entities`` (title and body together) and the methods that ran."""
    recogniser = recogniser_for(article.language)
    entities = article_entities(article, recogniser)
    ran = {**article.enrichment.methods, "entities": methods(recogniser, article.language)}
    return record(article, "entities", VERSION, entities=entities, methods=ran)
