"""Finding where a source announces its articles: feed links, robots.txt sitemaps, listings.

Pure functions over fetched documents; the spider decides what to request from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.sources.model import SectionPage
from crawler.urls import canonical_url

__all__ = ["SectionLinks", "alternate_feeds", "robots_sitemaps", "section_links"]

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def _tree(body: bytes, base_url: str) -> lxml_html.HtmlElement | None:
    if not body.strip():
        return None
    tree = lxml_html.fromstring(body, base_url=base_url)
    tree.make_links_absolute(base_url, resolve_base_href=True)
    return tree


def alternate_feeds(body: bytes, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    tree = _tree(body, base_url)
    if tree is None:
        return []
    found = []
    for link in tree.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in _FEED_TYPES and link.get("href") not in found:
            found.append(link.get("href"))
    return found


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, as absolute URLs."""
    return [urljoin(base_url, match) for match in _SITEMAP_LINE.findall(text)]


@dataclass
class SectionLinks:
    """Links of one listing page: articles to fetch, listings to follow."""

    articles: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)


def section_links(body: bytes, base_url: str, section: SectionPage) -> SectionLinks:
    """Same-site links matching the section's article and follow patterns, canonical, once."""
    found = SectionLinks()
    tree = _tree(body, base_url)
    if tree is None:
        return found
    site, itself = urlsplit(base_url).netloc, canonical_url(base_url)
    for href in tree.xpath("//a/@href"):
        if urlsplit(href).netloc != site:
            continue
        url = canonical_url(href)
        if url == itself:
            continue  # navigation back to this very listing
        if re.search(section.article_pattern, url):
            target = found.articles
        elif section.follow_pattern and re.search(section.follow_pattern, url):
            target = found.listings
        else:
            continue
        if url not in target:
            target.append(url)
    return found
