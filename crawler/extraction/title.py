"""Choose an article's title from what the page declares, without the site name suffix.

A page names its article up to four times: the JSON-LD ``headline``, OpenGraph/Twitter titles,
the visible ``<h1>`` and the ``<title>``. The last two kinds often carry the site name
("Headline | Outlet", "Headline - Outlet"); the declared headline rarely does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from lxml.html import HtmlElement

from crawler.extraction.metadata import PageMetadata
from crawler.extraction.site_name import name_key, names_site, site_keys

__all__ = ["choose_title", "shown_on", "strip_site_name"]

# Escaped: en and em dash, middle dot, bullet, guillemet, Hangul and full-width separators.
_SEPARATORS = "|\\-\u2013\u2014\u00b7\u2022\u00bb:"
_TIGHT_SEPARATORS = "|\u3163\uff1a"
_SEPARATOR = re.compile(rf"\s+[{_SEPARATORS}]{{1,2}}\s+|\s*[{_TIGHT_SEPARATORS}]\s*")
_TRIM = " " + _SEPARATORS.replace("\\", "") + _TIGHT_SEPARATORS
# Quotation marks (straight, typographic, low-9, guillemets, CJK corner brackets): channels
# spell the same headline with different ones, so comparisons ignore them.
_QUOTES = re.compile(
    "[\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u300c-\u300f]"
)
# Text a reader sees: the body's, without scripts, styles and templates.
_SHOWN_TEXT = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)
# A shared core shorter than this is a phrase both happen to contain, not the headline.
_MIN_CORE_WORDS = 3


def strip_site_name(title: str, site_names: list[str], url: str = "") -> str:
    """Drop a trailing (or leading) site name that a separator sets apart from the headline."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    keys = site_keys(site_names, url)
    if names_site(parts[-1], keys):
        return title[: title.rindex(parts[-1])].rstrip(_TRIM)
    if names_site(parts[0], keys):
        return title[len(parts[0]) :].lstrip(_TRIM)
    return title


def _comparable(title: str) -> str:
    """``title`` case-folded, without quotation marks, its whitespace collapsed."""
    return " ".join(_QUOTES.sub("", title).split()).casefold()


def _is_core_of(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` without a kicker before it or a tail after it.

    The part must stand as whole words ("MSV-" may be glued on by a hyphen, not by a letter).
    """
    core, full = _comparable(short), _comparable(long)
    if len(core.split()) < _MIN_CORE_WORDS or core == full:
        return False
    start = full.find(core)
    if start < 0:
        return False
    end = start + len(core)
    return not (start and full[start - 1].isalnum()) and not (
        end < len(full) and full[end].isalnum()
    )


def _declared_title(headline: str, meta_titles: list[str]) -> str:
    """The headline; or the social title that is the headline's core, or its plainer spelling.

    A headline that adds a kicker ("Party congress: ...") or a tail ("... in a win over X") to
    a social title both declare is the long form of it; the part both share is the title. When
    the two differ only in quotation marks, marks one of them sets around a phrase are
    emphasis, not wording, so the spelling with fewer marks is kept.
    """
    for title in meta_titles:
        if _is_core_of(title, headline):
            return title
        same_words = _comparable(title) == _comparable(headline)
        if same_words and len(_QUOTES.findall(title)) < len(_QUOTES.findall(headline)):
            return title
    return headline


def shown_on(tree: HtmlElement) -> Callable[[str], bool]:
    """A test of whether a title appears in the text ``tree`` shows a reader.

    The text is gathered on the first call only: most pages never need it.
    """

    @cache
    def shown_text() -> str:
        return _comparable("".join(tree.xpath(_SHOWN_TEXT)))

    return lambda title: _comparable(title) in shown_text()


def _unanimous_other(
    headline: str,
    meta_titles: list[str],
    metadata: PageMetadata,
    url: str,
    shown: Callable[[str], bool],
) -> str | None:
    """The title every other channel gives, when the headline is hidden and they are shown.

    Publishers sometimes declare a search-engine headline in JSON-LD that the page never
    displays, while the social titles, the ``<h1>`` and the ``<title>`` all carry the one
    readers see. Only that unanimity against a headline no reader sees overrides the headline.
    """
    document = strip_site_name(metadata.document_title or "", metadata.site_names, url)
    if not (meta_titles and metadata.headings and document):
        return None
    channels = [
        {_comparable(title) for title in meta_titles},
        {_comparable(metadata.headings[0])},
        {_comparable(document)},
    ]
    if any(_comparable(headline) in channel for channel in channels):
        return None
    agreed = set.intersection(*channels)
    if not agreed or shown(headline):
        return None
    title = next(title for title in meta_titles if _comparable(title) in agreed)
    return title if shown(title) else None


def choose_title(
    metadata: PageMetadata, url: str = "", shown: Callable[[str], bool] | None = None
) -> str:
    """The declared headline (or its core); else a meta title; else a confirmed ``<h1>``.

    Declared titles come first because the publisher wrote them for this article alone; an
    ``<h1>`` may be a section name or a teaser, so it needs the ``<title>`` to vouch for it.
    ``shown`` tells whether the page displays a title (see ``shown_on``); with it, a headline
    the page hides yields to the title every other channel agrees on.
    """
    keys = site_keys(metadata.site_names, url)
    # Some pages set og:title to the outlet's name alone; that names no article.
    meta_titles = [
        stripped
        for title in metadata.meta_titles
        if (stripped := strip_site_name(title, metadata.site_names, url))
        and not names_site(stripped, keys)
    ]
    if metadata.headline:
        headline = strip_site_name(metadata.headline, metadata.site_names, url)
        title = _declared_title(headline, meta_titles)
        if title != headline or shown is None:
            return title
        return _unanimous_other(headline, meta_titles, metadata, url, shown) or headline
    if meta_titles:
        return meta_titles[0]
    document = strip_site_name(metadata.document_title or "", metadata.site_names, url)
    for heading in metadata.headings:
        if name_key(heading) and name_key(heading) in name_key(document):
            return heading
    return document or (metadata.headings[0] if metadata.headings else "")
