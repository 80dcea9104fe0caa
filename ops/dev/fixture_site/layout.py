"""The chrome every fixture page shares: head, site header with navigation, footer.

Real news pages wrap each article in a site header, navigation and a footer full of links;
extraction must see past them, so every HTML page the fixture site renders (articles,
homepages, section pages, the 404 page) goes through :func:`render_document`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from ops.dev.fixture_site.feeds import PRIVATE_PATH, RSS_PATH

__all__ = ["SiteStyle", "escape_attr", "escape_text", "render_document", "story_list"]

_STYLESHEET = (
    "body{font-family:Georgia,serif;margin:0;color:#222}"
    ".site-header,.site-footer{background:#12263a;color:#fff;padding:.8em 1.5em}"
    ".site-header a,.site-footer a{color:#fff;margin-right:1em}"
    "main{max-width:46em;margin:1.5em auto;padding:0 1em}"
    ".ad-slot{background:#f3f3f3;text-align:center;font-size:.7em;padding:2em 0}"
    ".promo{border:1px solid #ccc;padding:1em;margin:1em 0}"
    ".topic{text-transform:uppercase;font-size:.8em;color:#b00}"
    ".video-player{background:#000;color:#fff;padding:1em}"
)


@dataclass(frozen=True)
class SiteStyle:
    """What makes one outlet's pages look like that outlet's."""

    name: str
    language: str
    nav: tuple[tuple[str, str], ...]
    """(label, path) pairs for the header navigation; every path exists on the site."""
    tagline: str
    copyright_year: int


def escape_text(value: str) -> str:
    """Escape for an HTML text node (quotes stay readable: they are safe there)."""
    return html.escape(value, quote=False)


def escape_attr(value: str) -> str:
    """Escape for a quoted HTML attribute value."""
    return html.escape(value, quote=True)


def _header(style: SiteStyle) -> str:
    links = "".join(
        f'<li><a href="{escape_attr(path)}">{escape_text(label)}</a></li>'
        for label, path in style.nav
    )
    return (
        '<header class="site-header">'
        f'<a class="logo" href="/">{escape_text(style.name)}</a>'
        f'<p class="tagline">{escape_text(style.tagline)}</p>'
        f'<nav aria-label="Sections"><ul>{links}</ul></nav>'
        "</header>"
    )


def _footer(style: SiteStyle) -> str:
    # The staff link points into /private/, which robots.txt disallows: a polite crawler sees
    # the link on every page and must still never fetch it.
    return (
        '<footer class="site-footer"><ul>'
        '<li><a href="/">Home</a></li>'
        f'<li><a href="{RSS_PATH}">RSS</a></li>'
        f'<li><a href="{PRIVATE_PATH}">Staff area</a></li>'
        "</ul>"
        f"<p>&copy; {style.copyright_year} {escape_text(style.name)}. All rights reserved.</p>"
        "</footer>"
    )


def render_document(
    style: SiteStyle,
    *,
    title: str,
    main: str,
    head: str = "",
    language: str | None = None,
) -> bytes:
    """A complete UTF-8 HTML document: ``main`` (trusted HTML) inside the site's chrome."""
    document = (
        "<!DOCTYPE html>"
        f'<html lang="{escape_attr(language or style.language)}"><head>'
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape_text(title)}</title>"
        f"<style>{_STYLESHEET}</style>"
        f'<link rel="alternate" type="application/rss+xml" title="RSS" href="{RSS_PATH}">'
        f"{head}</head><body>{_header(style)}<main>{main}</main>{_footer(style)}</body></html>"
    )
    return document.encode("utf-8")


def story_list(stories: Sequence[tuple[str, str, str]]) -> str:
    """An HTML list of teasers from (path, headline, teaser) triples; empty teasers omitted."""
    items = []
    for path, headline, teaser in stories:
        summary = f'<p class="teaser">{escape_text(teaser)}</p>' if teaser else ""
        items.append(
            f'<li class="story"><h3><a href="{escape_attr(path)}">{escape_text(headline)}</a>'
            f"</h3>{summary}</li>"
        )
    return f'<ul class="stories">{"".join(items)}</ul>'
