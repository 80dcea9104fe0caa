"""Discovery: feeds from <link rel=alternate>, sitemaps from robots.txt, section pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.sources import load_sources
from crawler.sources.model import SectionPage
from crawler.spiders.discovery import alternate_feeds, robots_sitemaps, section_links
from newsloom.settings import Settings
from tests.crawler.children import crawl_report, start_crawl, write_sources

BASE = "https://outlet.example/news/"


def test_alternate_feeds_are_read_from_the_head() -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b'<link rel="alternate" hreflang="fr" href="/fr/"><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/atom+xml" href="atom.xml"></head></html>'
    )
    assert alternate_feeds(page, BASE) == [
        "https://outlet.example/rss.xml",
        "https://outlet.example/news/atom.xml",
    ]


def test_robots_sitemap_lines_in_any_case() -> None:
    text = "User-agent: *\nDisallow: /x\nSitemap: https://outlet.example/s.xml\nsitemap: /n.xml\n"
    assert robots_sitemaps(text, BASE) == [
        "https://outlet.example/s.xml",
        "https://outlet.example/n.xml",
    ]


def test_section_links_split_articles_and_listings_on_the_same_site() -> None:
    section = SectionPage(
        url=BASE,  # type: ignore[arg-type]
        article_pattern=r"/news/\d{4}/",
        follow_pattern=r"/news/page/\d+$",
    )
    page = (
        b'<a href="/news/2026/talks?utm_source=x">a</a><a href="/news/2026/talks">again</a>'
        b'<a href="/news/page/2">next</a><a href="/about">about</a>'
        b'<a href="https://elsewhere.example/news/2026/x">other site</a>'
    )
    links = section_links(page, BASE, section)
    assert links.articles == ["https://outlet.example/news/2026/talks"]
    assert links.listings == ["https://outlet.example/news/page/2"]


def _almayadeen(settings: Settings, fixture_sources: Path, **changes: Any) -> Path:
    source = load_sources(fixture_sources).by_id("almayadeen")
    described = {**source.model_dump(mode="json"), "feeds": [], "sitemaps": [], **changes}
    return write_sources(settings, f"discovery-{len(changes)}", [described])


@pytest.mark.integration
def test_feeds_and_sitemaps_are_auto_discovered(services: Settings, fixture_sources: Path) -> None:
    report = crawl_report(start_crawl(services, _almayadeen(services, fixture_sources)))
    stats = report["stats"]
    assert stats.get("newsloom/discovered/feeds") == 1, stats  # <link rel=alternate> on /
    assert stats.get("newsloom/discovered/sitemaps") == 1, stats  # Sitemap: in robots.txt
    assert report["articles"] == 1
    assert stats.get("dupefilter/filtered", 0) >= 1  # found by both, fetched once


@pytest.mark.integration
@pytest.mark.parametrize(("max_depth", "listings"), [(1, 2), (0, 1)])
def test_section_pages_are_followed_within_their_depth(
    services: Settings, fixture_sources: Path, max_depth: int, listings: int
) -> None:
    sources = load_sources(fixture_sources).sources
    homepage = str(next(s for s in sources if s.id == "almayadeen").homepage)
    section = {
        "url": homepage,
        "article_pattern": r"/news/politics/[^/]+$",
        "follow_pattern": r"/news/politics$",
        "max_depth": max_depth,
    }
    sources_file = _almayadeen(services, fixture_sources, sections=[section])
    report = crawl_report(start_crawl(services, sources_file))
    stats = report["stats"]
    assert report["articles"] == 1
    fetched = [url for url in report["fetched"] if not url.endswith("robots.txt")]
    assert len(fetched) == listings + 1, fetched  # the listings, and the article once
    assert stats.get("newsloom/dropped/depth_limit", 0) == (1 if max_depth == 0 else 0)
