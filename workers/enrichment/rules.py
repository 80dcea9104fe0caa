"""Capitalisation rules for English names, the recogniser before the statistical model.

People after a title ("Foreign Minister X Y") and organisations by their head noun
("... Ministry", "... Agency"). Kept as the ``rules`` recogniser: the baseline the entity
benchmark measures the model against, and a choice where no model is wanted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsloom.schema import EntityType

__all__ = ["rule_mentions"]

_NAME = r"[A-Z][a-z]+(?:-[a-z]+)?"
_TITLED_PERSON = re.compile(
    r"\b(?:President|Minister|[Ll]eader|[Ee]nvoy|[Cc]hief|[Ss]pokes(?:wo)?man|Secretary|"
    r"General|Colonel|Governor|Ambassador|Premier|Chairman|Admiral|Commander|Mr\.?|Ms\.?|Dr\.?)\s+"
    rf"(?P<name>{_NAME}(?:\s+{_NAME}){{1,2}})\b"
)
_ORGANIZATION = re.compile(
    r"\b(?P<name>(?P<head>(?:[A-Z][a-z]+\s+){1,4}(?:Ministry|Agency|Council|Department|"
    r"Party|Committee|Command|Army|Navy|Forces|Institute|Commission|Bureau|Office|Union|"
    r"Organization|Association|Corporation|Corps))"
    # "Bureau of Fisheries and Aquatic Resources": the "of" part names which one.
    r"(?:\s+of(?:\s+the)?\s+[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z]+){0,3})?)\b"
)
_NAME_RULES: tuple[tuple[re.Pattern[str], EntityType], ...] = (
    (_TITLED_PERSON, "person"),
    (_ORGANIZATION, "organization"),
)
# Words that start a capitalised run without being part of a name.
_NOT_NAME_START = {"The", "A", "An", "On", "In", "At", "And", "But", "Both", "Earlier", "This"}


def rule_mentions(text: str) -> Iterator[tuple[EntityType, int, int]]:
    """Type and character span of each name the rules find (they may overlap)."""
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
                yield entity_type, match.end(group) - len(name), match.end(group)
