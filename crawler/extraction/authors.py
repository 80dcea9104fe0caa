"""Choose an article's authors: the people who wrote it, not the outlet that published it.

JSON-LD says which authors are people and which are organisations; meta tags give plain names.
An organisation (or the site's own name) is kept only when no person is named at all, because
a byline like "BBC News" is then the best the page offers.
"""

from __future__ import annotations

import re

from crawler.extraction.metadata import PageMetadata

__all__ = ["choose_authors"]

_NOT_WORD = re.compile(r"\W+")
_BYLINE_PREFIX = re.compile(r"^(by|von|par|por|di|door|av|af)\s+", re.IGNORECASE)
# Several names in one string: commas, semicolons and "and" in the languages of the sources.
_NAME_SEPARATOR = re.compile(r"\s*[,;/|]\s*|\s+(?:and|und|og|och|et|y|e|en|i|&)\s+")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
# "reporter" after a Korean or Japanese byline name is a job title, not part of the name.
_JOB_SUFFIX = re.compile(r"\s*(기자|특파원|記者)$")
_MAX_NAME_WORDS = 5


def _is_name(text: str) -> bool:
    """Rules out e-mail addresses, URL slugs, ids and descriptive phrases."""
    if not text or "@" in text or text.isdigit() or len(text.split()) > _MAX_NAME_WORDS:
        return False
    return not (" " not in text and "-" in text and text == text.lower())


def _split(name: str) -> list[str]:
    name = _PARENTHESES.sub("", _BYLINE_PREFIX.sub("", name.strip()))
    parts = [_JOB_SUFFIX.sub("", part.strip(" ,;")) for part in _NAME_SEPARATOR.split(name)]
    return [part for part in parts if _is_name(part)]


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text).casefold()


def _clean(names: list[str]) -> list[str]:
    """Strip "By " prefixes and drop repeats, keeping the page's order."""
    kept: list[str] = []
    seen: set[str] = set()
    for name in (part for raw in names for part in _split(raw)):
        if _key(name) not in seen:
            seen.add(_key(name))
            kept.append(name)
    return kept


def choose_authors(metadata: PageMetadata, fallback: list[str]) -> list[str]:
    """People named by JSON-LD or meta tags; else organisations; else ``fallback``."""
    site_keys = {_key(name) for name in metadata.site_names if _key(name)}

    def people(names: list[str]) -> list[str]:
        return [name for name in _clean(names) if _key(name) not in site_keys]

    if found := people(metadata.person_authors):
        # An agency credited beside the people (JSON-LD lists it as an organisation) is an
        # author too ("Paula Steiger, SDA"); the outlet itself is not.
        return found + [o for o in people(metadata.organization_authors) if o not in found]
    if found := people(metadata.meta_authors):
        return found
    organizations = _clean(metadata.organization_authors + metadata.meta_authors)
    return organizations or _clean(fallback)
