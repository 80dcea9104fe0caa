"""Choose an article's authors: the people who wrote it, not the outlet that published it.

JSON-LD says which authors are people and which are organisations; meta tags give plain names;
the visible byline (see ``byline.py``) names the people when the metadata credits only the
outlet. An organisation (or the site's own name) is kept only when no person is named at all,
because a byline like "BBC News" is then the best the page offers. Each source is read as it
is and none is trusted blindly: names are split and stripped of "By" and job titles
(``names.py``) and checked against the outlet's own names (``site_name.py``).
"""

from __future__ import annotations

from crawler.extraction.metadata import PageMetadata
from crawler.extraction.names import (
    clean_names,
    looks_like_credit,
    looks_like_person,
    split_names,
)
from crawler.extraction.site_name import name_key, names_site, site_keys

__all__ = ["choose_authors"]

# A first word this long that opens the outlet's name is the outlet's (shorter ones may be a
# given name that happens to open it: "Ana" on "ananova.example").
_MIN_OUTLET_WORD = 5


def _is_outlet(name: str, keys: set[str]) -> bool:
    # "MDR THÜRINGEN" or "BBC Verify" is a desk of the outlet, not a person; "Outlet D" on
    # outletnews.example is the CMS account of the newsroom.
    first = name_key(name.split()[0])
    return (
        names_site(name, keys)
        or first in keys
        or (len(first) >= _MIN_OUTLET_WORD and any(key.startswith(first) for key in keys))
    )


def _people(names: list[str], keys: set[str]) -> list[str]:
    return [name for name in clean_names(names) if not _is_outlet(name, keys)]


def _credits_outlet(raw: str, keys: set[str]) -> bool:
    """A meta author like "Outlet, City, Country" credits the outlet; no part is a person."""
    parts = split_names(raw)
    return bool(parts) and _is_outlet(parts[0], keys)


def choose_authors(metadata: PageMetadata, fallback: list[str], url: str = "") -> list[str]:
    """The article's authors, from the most to the least reliable source that names any.

    JSON-LD people (completed by co-authors the byline marks up); else meta-tag people; else
    people in the visible byline; else a name typed into the text; else the organisations
    credited; else ``fallback`` (what the main-content extractor found).
    """
    keys = site_keys(metadata.site_names, url)

    def persons(names: list[str]) -> list[str]:
        return [name for name in _people(names, keys) if looks_like_person(name)]

    # A declared person the page itself labels as editor did not write the article.
    editors = {name_key(name) for name in clean_names(metadata.byline.editors)}
    declared = [name for name in metadata.person_authors if name_key(name) not in editors]
    if found := _people(declared, keys):
        # Authors marked up one per element in the byline may include co-authors the metadata
        # left out; they are trusted only when they confirm every declared person.
        marked = _people(metadata.byline.marked, keys)
        if len(marked) > len(found) and {*map(name_key, found)} <= {*map(name_key, marked)}:
            found = marked
        # An organisation the JSON-LD credits beside the people is an author too: an agency
        # ("Paula Steiger, SDA") or the outlet's own newsroom, which the page chose to list.
        # The outlet's own name is kept as declared: a lower-case hyphenated brand
        # ("t-online") would otherwise pass for a URL slug.
        credited = [
            name
            for raw in metadata.organization_authors
            for name in ([raw] if names_site(raw, keys) else clean_names([raw]))
        ]
        return found + [name for name in credited if name_key(name) not in map(name_key, found)]
    credits = [raw for raw in metadata.meta_authors if not _credits_outlet(raw, keys)]
    if found := _people(credits, keys) or persons(metadata.byline.entries):
        return found
    if found := persons(metadata.byline.in_text):
        return found
    # Nobody is named: the outlet or newsroom credit is then the best the page offers.
    organizations = (
        clean_names(metadata.organization_authors)
        or clean_names(metadata.person_authors)
        or clean_names(metadata.meta_authors)
        or [name for name in clean_names(metadata.byline.in_text) if looks_like_credit(name)]
    )
    if organizations:
        return organizations
    # Weaker than any declaration: a credit typed as a line ("By Outlet, in News"), then
    # whoever the page names as its editor (some pages sign off with nothing else).
    typed = [name for name in clean_names(metadata.byline.typed) if looks_like_credit(name)]
    return typed or clean_names(metadata.byline.editors) or clean_names(fallback)
