"""Choose an article's title from what the page declares, without the site name suffix.

A page names its article up to four times: the JSON-LD ``headline``, OpenGraph/Twitter titles,
the visible ``<h1>`` and the ``<title>``. The last two kinds often carry the site name
("Headline | Outlet", "Headline - Outlet"); the declared headline rarely does.
"""

from __future__ import annotations

import re

from crawler.extraction.metadata import PageMetadata
from crawler.extraction.site_name import name_key, names_site, site_keys

__all__ = ["choose_title", "strip_site_name"]

# Escaped: en and em dash, middle dot, bullet, guillemet, Hangul and full-width separators.
_SEPARATORS = "|\\-\u2013\u2014\u00b7\u2022\u00bb:"
_TIGHT_SEPARATORS = "|\u3163\uff1a"
_SEPARATOR = re.compile(rf"\s+[{_SEPARATORS}]{{1,2}}\s+|\s*[{_TIGHT_SEPARATORS}]\s*")
_TRIM = " " + _SEPARATORS.replace("\\", "") + _TIGHT_SEPARATORS


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


def choose_title(metadata: PageMetadata, url: str = "") -> str:
    """The declared headline; else a meta title; else the ``<h1>`` the ``<title>`` confirms.

    Declared titles come first because the publisher wrote them for this article alone; an
    ``<h1>`` may be a section name or a teaser, so it needs the ``<title>`` to vouch for it.
    """
    if metadata.headline:
        return strip_site_name(metadata.headline, metadata.site_names, url)
    keys = site_keys(metadata.site_names, url)
    for title in metadata.meta_titles:
        # Some pages set og:title to the outlet's name alone; that names no article.
        stripped = strip_site_name(title, metadata.site_names, url)
        if stripped and not names_site(stripped, keys):
            return stripped
    document = strip_site_name(metadata.document_title or "", metadata.site_names, url)
    for heading in metadata.headings:
        if name_key(heading) and name_key(heading) in name_key(document):
            return heading
    return document or (metadata.headings[0] if metadata.headings else "")
