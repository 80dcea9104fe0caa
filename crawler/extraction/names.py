"""Turn a credit as pages write it ("By JANE DOE and John Roe, AP Staff Writer") into names.

Every source of authors (JSON-LD, meta tags, the visible byline) carries byline furniture: a
"By" label, several names in one string, job titles, dates, e-mail addresses. This module
removes it with rules about how bylines are written in general, never about one site, and
tells a person's name from a label or a company. ``authors.py`` decides which source to trust.
"""

from __future__ import annotations

import re

from crawler.extraction.byline import BYLINE_LABEL
from crawler.extraction.site_name import name_key

__all__ = ["clean_names", "looks_like_credit", "looks_like_person", "split_names"]

_BYLINE_PREFIX = re.compile(rf"^{BYLINE_LABEL}\s*:?\s+", re.IGNORECASE)
# Several names in one string: commas, semicolons and "and" in the languages of the sources.
_NAME_SEPARATOR = re.compile(r"\s*[,;/|、]\s*|\s+(?:and|und|og|och|et|y|e|en|i|&)\s+")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
# "reporter" after a Korean or Japanese byline name is a job title, not part of the name.
_JOB_SUFFIX = re.compile(r"\s*(기자|특파원|記者)$")
# A credit ending in a role is a job title ("AP Sports Writer"), not a second author.
_ROLES = {
    "writer", "reporter", "correspondent", "columnist", "editor", "photographer",
    "contributor", "journalist", "journalistin", "redakteur", "redakteurin",
    "korrespondent", "korrespondentin", "autor", "autorin",
}  # fmt: skip
# Lower-case words that belong inside names; any other lower-case word after a capitalised
# name starts the rest of the line ("Jane Doe on Monday", "Outlet wire services").
_NAME_PARTICLES = {
    "al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el",
    "ibn", "la", "le", "ten", "ter", "van", "von", "y", "zu",
}  # fmt: skip
_MAX_NAME_WORDS = 5
# Legal-form suffixes mark a company ("Nikkei Inc."), never a person.
_COMPANY = re.compile(r"\b(?:inc|ltd|llc|gmbh|corp|plc|co)\b\.?$", re.IGNORECASE)
# Scripts written without spaces between given and family name; such names are short.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_MAX_UNSPACED_NAME = 6


def _is_name(text: str) -> bool:
    """Rules out e-mail addresses, URL slugs, ids, job titles and descriptive phrases."""
    words = text.split()
    if not words or "@" in text or len(words) > _MAX_NAME_WORDS:
        return False
    if any(char.isdigit() for char in text) or ":" in text:
        return False  # a date, a time, a reading time or a "Photo: ..." credit
    if not any(char.isalpha() for char in text) or words[-1].casefold() in _ROLES:
        return False  # a separator line ("***") or a job title
    return not (" " not in text and "-" in text and text == text.lower())


def _name_only(part: str) -> str:
    """``part`` up to the first lower-case word that cannot belong to a name."""
    words = part.split()
    for index, word in enumerate(words):
        capitalised_before = any(w[:1].isupper() for w in words[:index])
        plain_word = word.isalpha() and word.islower()  # not "outlet.example"
        if capitalised_before and plain_word and word not in _NAME_PARTICLES:
            return " ".join(words[:index])
    return part


def split_names(credit: str) -> list[str]:
    """The names in one credit string, in order, without labels, job titles or dates."""
    credit = _PARENTHESES.sub("", _BYLINE_PREFIX.sub("", credit.strip()))
    parts = [_JOB_SUFFIX.sub("", part.strip(" ,;")) for part in _NAME_SEPARATOR.split(credit)]
    # A part too long for a name is a description ("professor at the faculty of ...").
    short = [part for part in parts if len(part.split()) <= _MAX_NAME_WORDS]
    return [name for part in short if _is_name(name := _name_only(part))]


def clean_names(credits: list[str]) -> list[str]:
    """Every name in ``credits``, split and cleaned, without repeats, in the page's order."""
    kept: list[str] = []
    seen: set[str] = set()
    for name in (name for credit in credits for name in split_names(credit)):
        if name_key(name) not in seen:
            seen.add(name_key(name))
            kept.append(name)
    return kept


def _is_capitalised(name: str) -> bool:
    """False for all-lower-case text in a script that has capitals ("follow us")."""
    return name != name.lower() or name == name.upper()


def looks_like_person(name: str) -> bool:
    """Whether a visible byline entry reads as a person's full name rather than a label.

    Bylines also hold job titles ("Reporter"), follow buttons and agency names; a person's
    name is capitalised and has at least two words, or in scripts written without spaces a
    short run of characters (a longer one is a phrase: "share this article").
    """
    if _COMPANY.search(name) or not _is_capitalised(name):
        return False
    if _UNSPACED_SCRIPT.search(name):
        return len(name.replace(" ", "")) <= _MAX_UNSPACED_NAME
    return len(name.split()) >= 2


def looks_like_credit(name: str) -> bool:
    """A person, or a one-word newsroom credit ("Newsdesk", "AP")."""
    one_word = len(name.split()) == 1 and not _UNSPACED_SCRIPT.search(name)
    return looks_like_person(name) or (one_word and _is_capitalised(name))
