"""Named entities: the gazetteer first, then rules for names it does not know yet.

Method, chosen on the evidence of the seeds and offline-only: a curated gazetteer resolves
the names analysts care about to canonical forms (aliases and spellings merge), a pattern
catches weapon designators such as ``Hwasong-20`` or ``KN-25``, and capitalised-name rules
pick up people after a title ("Foreign Minister X Y") and organisations by their head noun
("... Ministry", "... Agency"). Once a person is found, a later "Ishiba" or "Liu" alone counts
as a mention of them. No packaged NER model for this domain ships offline.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from newsloom.schema import Article, Entity, EntityType
from workers.enrichment.gazetteer import load_gazetteer, normalise
from workers.enrichment.stage import record

__all__ = ["VERSION", "extract_entities", "find_entities", "is_headline_case"]

RULES_VERSION = "rules-3"
VERSION = f"{RULES_VERSION}+{load_gazetteer().version}"

_NAME = r"[A-Z][a-z]+(?:-[a-z]+)?"
_WEAPON = re.compile(r"(?<![\w\-])(?:[A-Z][a-z]+|[A-Z]{2,3})(?:-\d+[A-Z]?){1,3}(?![\w\-])")
# Words of a title that the name rules can take as part of a name ("General Mark Rutte").
_TITLE_WORDS = frozenset((
    "President", "Minister", "Leader", "Envoy", "Chief", "Spokesman", "Spokeswoman", "Secretary",
    "General", "Colonel", "Governor", "Ambassador", "Premier", "Chairman", "Admiral", "Commander",
    "Major", "Brigadier", "Lieutenant",
))  # fmt: skip
_TITLED_PERSON = re.compile(
    r"\b(?:President|Minister|[Ll]eader|[Ee]nvoy|[Cc]hief|[Ss]pokes(?:wo)?man|Secretary|"
    r"General|Colonel|Governor|Ambassador|Premier|Chairman|Admiral|Commander|Mr\.?|Ms\.?|Dr\.?)\s+"
    rf"(?P<name>{_NAME}(?:\s+{_NAME}){{1,2}})\b"
)
_ORGANIZATION = re.compile(
    r"\b(?P<name>(?P<head>(?:[A-Z][a-z]+\s+){1,4}(?:Ministry|Agency|Council|Department|"
    r"Party|Committee|Command|Army|Navy|Forces|Institute|Commission|Bureau|Office|Union|"
    r"Organization|Association|Corporation|Corps))"
    # "Bureau of Fisheries and Aquatic Resources": the "of" part names which one. Where
    # the gazetteer knows that part ("... Party of Japan"), the head alone is the name.
    r"(?:\s+of(?:\s+the)?\s+[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z]+){0,3})?)\b"
)
_NAME_RULES: tuple[tuple[re.Pattern[str], EntityType], ...] = (
    (_TITLED_PERSON, "person"),
    (_ORGANIZATION, "organization"),
)
# Words that start a capitalised run without being part of a name.
_NOT_NAME_START = {"The", "A", "An", "On", "In", "At", "And", "But", "Both", "Earlier", "This"}


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the text."""

    canonical: str
    type: EntityType
    surface: str
    start: int
    end: int


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


def _gazetteer_mentions(text: str) -> Iterator[Mention]:
    gazetteer = load_gazetteer()
    for match in gazetteer.pattern.finditer(text):
        entry = gazetteer.lookup(match.group())
        if entry is not None:
            yield Mention(entry.name, entry.type, match.group(), match.start(), match.end())


def _rule_mentions(text: str) -> Iterator[Mention]:
    for match in _WEAPON.finditer(text):
        yield Mention(match.group(), "weapon", match.group(), match.start(), match.end())
    for pattern, entity_type in _NAME_RULES:
        for match in pattern.finditer(text):
            for group in ("name", "head"):
                if group not in pattern.groupindex or match.group(group) is None:
                    continue
                words = match.group(group).split()
                while words and words[0] in _NOT_NAME_START:
                    words.pop(0)
                if len(words) < 2:
                    continue
                name = " ".join(words)
                start = match.end(group) - len(name)
                yield Mention(name, entity_type, name, start, match.end(group))


def _resolve_short_forms(mentions: list[Mention]) -> list[Mention]:
    """Map a rule-found name to a longer known one it ends ("Communist Party" after
    "Chinese Communist Party" in the same text): articles shorten names once introduced."""
    known = {normalise(m.canonical): m for m in mentions}
    resolved = []
    for mention in mentions:
        key = normalise(mention.canonical)
        longer = [
            other
            for name, other in known.items()
            if name != key and name.endswith(f" {key}") and other.type == mention.type
        ]
        if longer:
            canonical = longer[0].canonical
            mention = Mention(canonical, mention.type, mention.surface, mention.start, mention.end)
        resolved.append(mention)
    return resolved


def _mentions(text: str, *, rules: bool = True) -> list[Mention]:
    """Non-overlapping mentions in ``text``; gazetteer matches win over rule matches."""
    taken = _Spans()
    mentions: list[Mention] = []
    found = [*_gazetteer_mentions(text), *(_rule_mentions(text) if rules else ())]
    for mention in found:
        if taken.add(mention.start, mention.end):
            mentions.append(mention)
    return mentions


def _merge(mentions: list[Mention]) -> list[Entity]:
    """Mentions merged into entities by canonical name, most mentioned first."""
    merged: dict[str, Entity] = {}
    for mention in _resolve_short_forms(mentions):
        key = normalise(mention.canonical)
        entity = merged.get(key)
        if entity is None:
            merged[key] = Entity(
                name=mention.canonical, type=mention.type, surface_forms=[mention.surface]
            )
            continue
        entity.mentions += 1
        if mention.surface not in entity.surface_forms:
            entity.surface_forms.append(mention.surface)
    return sorted(merged.values(), key=lambda entity: (-entity.mentions, entity.name))


_SHORT_NAME = re.compile(r"[A-Z][a-z]+")


def _short_names(mentions: list[Mention]) -> dict[str, str]:
    """Single words that stand for one person of the article: the first or last word of a
    full name found ("Ishiba" for Shigeru Ishiba, "Liu" for Liu Jianchao), unless two of its
    people share the word or it is a title ("General")."""
    owners: dict[str, set[str]] = {}
    for mention in mentions:
        if mention.type != "person":
            continue
        words = mention.canonical.split()
        for word in {words[0], words[-1]} if len(words) > 1 else set():
            if _SHORT_NAME.fullmatch(word) and word not in _TITLE_WORDS:
                owners.setdefault(word, set()).add(mention.canonical)
    return {word: next(iter(names)) for word, names in owners.items() if len(names) == 1}


def _short_name_mentions(
    text: str, mentions: list[Mention], people: dict[str, str]
) -> list[Mention]:
    """Mentions of people by one of their ``people`` words, where nothing else matched."""
    if not people:
        return []
    pattern = re.compile(r"(?<![\w\-])(?:" + "|".join(map(re.escape, people)) + r")(?![\w\-])")
    taken = _Spans()
    for mention in mentions:
        taken.add(mention.start, mention.end)
    found = []
    for match in pattern.finditer(text):
        if not taken.add(match.start(), match.end()):
            continue
        name = people[match.group()]
        found.append(Mention(name, "person", match.group(), match.start(), match.end()))
    return found


def _with_short_names(texts: list[tuple[str, list[Mention]]]) -> list[Mention]:
    """Every text's mentions plus its people named by one word, people known from any text."""
    people = _short_names([m for _text, mentions in texts for m in mentions])
    return [
        mention
        for text, mentions in texts
        for mention in [*mentions, *_short_name_mentions(text, mentions, people)]
    ]


def find_entities(text: str) -> list[Entity]:
    """Entities in ``text``, merged by canonical name, most mentioned first."""
    return _merge(_with_short_names([(text, _mentions(text))]))


def is_headline_case(title: str) -> bool:
    """Whether most words of ``title`` are capitalised ("Japan Prime Minister Dodges
    Criticism"), which makes capitalisation useless as a sign of a name."""
    words = [word for word in title.split() if word[:1].isalpha()]
    capitalised = sum(1 for word in words if word[0].isupper())
    return len(words) >= 4 and capitalised / len(words) > 0.6


def extract_entities(article: Article) -> Article:
    """Set ``enrichment.entities`` from the title and body.

    A headline-case title gets the gazetteer only: the name rules would read any run of
    capitalised words after a title ("Prime Minister Dodges Criticism") as a person.
    """
    title, body = article.title, article.body
    mentions = _with_short_names(
        [(title, _mentions(title, rules=not is_headline_case(title))), (body, _mentions(body))]
    )
    return record(article, "entities", VERSION, entities=_merge(mentions))
