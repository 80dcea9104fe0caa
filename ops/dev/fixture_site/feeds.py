"""Discovery documents an outlet publishes: RSS 2.0, sitemap index, news sitemap, robots.txt.

The crawler finds articles the way it does on real outlets: from the feed, from the sitemap
index and the Google News sitemap it points to, and from links, minding robots.txt.
:func:`discovery_resources` gives an outlet all four at their usual paths.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Protocol

from ops.dev.fixture_site.representation import Resource

__all__ = [
    "NEWS_SITEMAP_PATH",
    "PRIVATE_PATH",
    "ROBOTS_PATH",
    "RSS_PATH",
    "SITEMAP_PATH",
    "FeedEntry",
    "discovery_resources",
    "news_sitemap",
    "robots_txt",
    "rss_feed",
    "sitemap_index",
]

RSS_PATH = "/rss.xml"
SITEMAP_PATH = "/sitemap.xml"
NEWS_SITEMAP_PATH = "/sitemap-news.xml"
ROBOTS_PATH = "/robots.txt"
PRIVATE_PATH = "/private/"

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_ATOM_NS = "http://www.w3.org/2005/Atom"


class FeedEntry(Protocol):
    """What feeds and sitemaps need to know about an article."""

    @property
    def path(self) -> str:
        """Site path of the article, percent-encoded."""

    @property
    def title(self) -> str:
        """Headline."""

    @property
    def published(self) -> datetime:
        """Publication time, time-zone aware."""

    @property
    def publisher(self) -> str:
        """Name of the publication the article appeared in."""

    @property
    def language(self) -> str:
        """ISO 639 language code of the article."""


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _serialize(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def rss_feed(
    *, origin: str, title: str, description: str, language: str, entries: Sequence[FeedEntry]
) -> bytes:
    """An RSS 2.0 channel listing ``entries`` with title, link, guid and pubDate."""
    # Namespace prefixes are written as literal attribute and tag names rather than through
    # ET.register_namespace, which would change serialisation process-wide.
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": _ATOM_NS})
    channel = _child(rss, "channel")
    _child(channel, "title", title)
    _child(channel, "link", f"{origin}/")
    _child(channel, "description", description)
    _child(channel, "language", language)
    _child(channel, "atom:link", href=origin + RSS_PATH, rel="self", type="application/rss+xml")
    if entries:
        _child(channel, "lastBuildDate", format_datetime(max(e.published for e in entries)))
    for entry in entries:
        item = _child(channel, "item")
        _child(item, "title", entry.title)
        _child(item, "link", origin + entry.path)
        _child(item, "guid", origin + entry.path, isPermaLink="true")
        _child(item, "pubDate", format_datetime(entry.published))
    return _serialize(rss)


def sitemap_index(origin: str, sitemap_paths: Sequence[str], last_modified: datetime) -> bytes:
    """A sitemap index pointing at the outlet's sitemaps."""
    index = ET.Element("sitemapindex", {"xmlns": _SITEMAP_NS})
    for path in sitemap_paths:
        sitemap = _child(index, "sitemap")
        _child(sitemap, "loc", origin + path)
        _child(sitemap, "lastmod", last_modified.isoformat())
    return _serialize(index)


def news_sitemap(origin: str, entries: Sequence[FeedEntry]) -> bytes:
    """A Google News sitemap: each article's URL, publication, date and title."""
    urlset = ET.Element("urlset", {"xmlns": _SITEMAP_NS, "xmlns:news": _NEWS_NS})
    for entry in entries:
        url = _child(urlset, "url")
        _child(url, "loc", origin + entry.path)
        news = _child(url, "news:news")
        publication = _child(news, "news:publication")
        _child(publication, "news:name", entry.publisher)
        _child(publication, "news:language", entry.language)
        _child(news, "news:publication_date", entry.published.isoformat())
        _child(news, "news:title", entry.title)
    return _serialize(urlset)


def robots_txt(origin: str, *, disallow: Sequence[str], sitemap_path: str) -> bytes:
    """robots.txt allowing everything except ``disallow``, naming the sitemap."""
    rules = "".join(f"Disallow: {path}\n" for path in disallow)
    return f"User-agent: *\n{rules}Allow: /\n\nSitemap: {origin}{sitemap_path}\n".encode()


def discovery_resources(
    *,
    origin: str,
    title: str,
    description: str,
    language: str,
    entries: Sequence[FeedEntry],
    updated: datetime,
    cache_control: str,
) -> dict[str, Resource]:
    """RSS, sitemap index, news sitemap and robots.txt, keyed by their paths."""
    return {
        RSS_PATH: Resource(
            rss_feed(
                origin=origin,
                title=title,
                description=description,
                language=language,
                entries=entries,
            ),
            "application/rss+xml",
            updated,
            cache_control=cache_control,
        ),
        SITEMAP_PATH: Resource(
            sitemap_index(origin, [NEWS_SITEMAP_PATH], updated),
            "application/xml",
            updated,
            cache_control=cache_control,
        ),
        NEWS_SITEMAP_PATH: Resource(
            news_sitemap(origin, entries), "application/xml", updated, cache_control=cache_control
        ),
        ROBOTS_PATH: Resource(
            robots_txt(origin, disallow=[PRIVATE_PATH], sitemap_path=SITEMAP_PATH),
            "text/plain",
            updated,
        ),
    }
