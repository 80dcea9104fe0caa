"""Choose an article's title from what the page declares, without the site name suffix.

A page names its article up to four times: the JSON-LD ``headline``, OpenGraph/Twitter titles,
the visible ``<h1>`` and the ``<title>``. The last two kinds often carry the site name
("Headline | Outlet", "Headline - Outlet"); the declared headline rarely does.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.extraction.metadata import PageMetadata

__all__ = ["choose_title", "strip_site_name"]

# Escaped: en and em dash, middle dot, bullet, guillemet, Hangul and full-width separators.
_SEPARATORS = "|\\-\u2013\u2014\u00b7\u2022\u00bb:"
_TIGHT_SEPARATORS = "|\u3163\uff1a"
_SEPARATOR = re.compile(rf"\s+[{_SEPARATORS}]{{1,2}}\s+|\s*[{_TIGHT_SEPARATORS}]\s*")
_TRIM = " " + _SEPARATORS.replace("\\", "") + _TIGHT_SEPARATORS
_NOT_WORD = re.compile(r"\W+")


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text).casefold()


def _names_site(tail: str, site_names: list[str], url: str) -> bool:
    tail_key = _key(tail)
    if not tail_key:
        return False
    host = urlsplit(url).hostname or ""
    host_keys = [_key(part) for part in host.split(".") if len(part) > 3]
    keys = [_key(name) for name in site_names if _key(name)] + host_keys
    return any(tail_key in key or key in tail_key for key in keys)


def strip_site_name(title: str, site_names: list[str], url: str = "") -> str:
    """Drop a trailing (or leading) site name that a separator sets apart from the headline."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    if _names_site(parts[-1], site_names, url):
        return title[: title.rindex(parts[-1])].rstrip(_TRIM)
    if _names_site(parts[0], site_names, url):
        return title[len(parts[0]) :].lstrip(_TRIM)
    return title


def choose_title(metadata: PageMetadata, url: str = "") -> str:
    """The declared headline; else the ``<h1>`` the meta titles confirm; else a meta title."""
    if metadata.headline:
        return strip_site_name(metadata.headline, metadata.site_names, url)
    declared = [
        strip_site_name(title, metadata.site_names, url)
        for title in [*metadata.meta_titles, metadata.document_title or ""]
        if title
    ]
    for heading in metadata.headings:
        if any(_key(heading) and _key(heading) in _key(title) for title in declared):
            return heading
    if declared:
        return declared[0]
    return metadata.headings[0] if metadata.headings else ""
