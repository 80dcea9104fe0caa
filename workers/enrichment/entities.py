"""Named entities: the gazetteer first, then rules for names it does not know yet.

Method, chosen on the evidence of the seeds and offline-only: a curated gazetteer resolves
the names analysts care about to canonical forms (aliases and spellings merge), a pattern
catches weapon designators such as ``Hwasong-20`` or ``KN-25``, and capitalised-name rules
pick up people after a title ("Foreign Minister X Y") and organisations by their head noun
("... Ministry", "... Agency"). No packaged NER model for this domain ships offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from newsloom.schema import Article, Entity, EntityType
from workers.enrichment.gazetteer import load_gazetteer, normalise
from workers.enrichment.stage import record

__all__ = ["VERSION", "extract_entities", "find_entities"]

RULES_VERSION = "rules-1"
VERSION = f"{RULES_VERSION}+{load_gazetteer().version}"

_NAME = r"[A-Z][a-z]+(?:-[a-z]+)?"
_WEAPON = re.compile(r"(?<![\w\-])(?:[A-Z][a-z]+|[A-Z]{2,3})(?:-\d+[A-Z]?){1,3}(?![\w\-])")
_TITLED_PERSON = re.compile(
    r"\b(?:President|Minister|[Ll]eader|[Ee]nvoy|[Cc]hief|[Ss]pokes(?:wo)?man|Secretary|"
    r"General|Ambassador|Premier|Chairman|Admiral|Commander|Mr\.?|Ms\.?|Dr\.?)\s+"
    rf"(?P<name>{_NAME}(?:\s+{_NAME}){{1,2}})\b"
)
_ORGANIZATION = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+\s+){1,4}(?:Ministry|Agency|Council|Department|Party|"
    r"Committee|Command|Army|Navy|Forces|Institute|Commission|Bureau|Office|Union|"
    r"Organization|Association|Corporation))\b"
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
            name = match.group("name")
            words = name.split()
            while words and words[0] in _NOT_NAME_START:
                words.pop(0)
            if len(words) < 2:
                continue
            name = " ".join(words)
            start = match.end("name") - len(name)
            yield Mention(name, entity_type, name, start, match.end("name"))


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


def find_entities(text: str) -> list[Entity]:
    """Entities in ``text``, merged by canonical name, most mentioned first."""
    taken: list[tuple[int, int]] = []
    mentions: list[Mention] = []
    # Gazetteer matches win: a rule never re-labels text the gazetteer already resolved.
    for mention in [*_gazetteer_mentions(text), *_rule_mentions(text)]:
        if any(mention.start < end and start < mention.end for start, end in taken):
            continue
        taken.append((mention.start, mention.end))
        mentions.append(mention)
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


def extract_entities(article: Article) -> Article:
    """Set ``enrichment.entities`` from the title and body."""
    return record(
        article, "entities", VERSION, entities=find_entities(f"{article.title}\n{article.body}")
    )
