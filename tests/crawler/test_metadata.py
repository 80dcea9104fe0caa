"""Declared article facts are read from JSON-LD, OpenGraph and meta tags."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from crawler.extraction.metadata import read_metadata


def _page(json_ld: object, head: str = "", body: str = "") -> str:
    script = f'<script type="application/ld+json">{json.dumps(json_ld)}</script>'
    return f"<html lang='ko'><head>{script}{head}</head><body>{body}</body></html>"


def test_reads_news_article_inside_a_graph() -> None:
    page = _page(
        {
            "@graph": [
                {"@type": "WebSite", "name": "Outlet"},
                {
                    "@type": "NewsArticle",
                    "headline": "Talks &quot;resume&quot; in Seoul",
                    "author": [
                        {"@type": "Person", "name": "Kim Min-ji"},
                        {"@type": "Organization", "name": "Yonhap"},
                    ],
                    "datePublished": "2026-11-20T09:00:00+09:00",
                    "publisher": {"@type": "Organization", "name": "Outlet"},
                },
            ]
        }
    )
    found = read_metadata(page)
    assert found.headline == 'Talks "resume" in Seoul'
    assert found.person_authors == ["Kim Min-ji"]
    assert found.organization_authors == ["Yonhap"]
    assert found.published == "2026-11-20T09:00:00+09:00"
    assert found.site_names == ["Outlet"]
    assert found.language == "ko"


def test_reads_meta_tags_and_keeps_non_ascii_text() -> None:
    head = (
        '<meta property="og:title" content="北朝鮮、ミサイル発射 | 新聞">'
        '<meta property="og:site_name" content="新聞">'
        '<meta name="author" content="https://example.org/staff/1">'
        '<meta name="author" content="Sato Yuki">'
        '<link rel="canonical" href="https://example.org/a/1">'
    )
    found = read_metadata(_page([], head, "<h1>北朝鮮、ミサイル発射</h1>"))
    assert found.meta_titles == ["北朝鮮、ミサイル発射 | 新聞"]
    assert found.headings == ["北朝鮮、ミサイル発射"]
    assert found.meta_authors == ["Sato Yuki"]
    assert found.canonical == "https://example.org/a/1"


def test_broken_json_ld_is_ignored() -> None:
    page = '<html><head><script type="application/ld+json">{oops</script></head></html>'
    assert read_metadata(page).headline is None


def test_reads_author_meta_vocabularies_and_the_visible_byline() -> None:
    head = (
        '<meta name="parsely-author" content="Ann Lee"><meta name="twitter:creator" content="@x">'
    )
    body = '<h1>Talks resume</h1><p class="byline">By <a rel="author" href="/bo">Bo Kim</a></p>'
    found = read_metadata(_page([], head, body))
    assert found.meta_authors == ["Ann Lee"]
    assert found.byline.entries == found.byline.marked == ["Bo Kim"]


def test_reads_a_person_named_by_given_and_family_name() -> None:
    author = {"@type": "Person", "givenName": "Anna Giulia", "familyName": "Fink"}
    found = read_metadata(_page({"@type": "NewsArticle", "author": [author]}))
    assert found.person_authors == ["Anna Giulia Fink"]


def test_reads_a_parsed_tree_as_it_reads_the_html() -> None:
    page = _page({"@type": "NewsArticle", "headline": "Talks resume"}, body="<h1>Talks</h1>")
    tree = lxml_html.fromstring(page)
    assert read_metadata(tree) == read_metadata(page)


def test_a_headline_meta_name_is_the_headline_but_an_item_property_is_not() -> None:
    head = '<meta name="headline" content="Leader expelled, party split">'
    assert read_metadata(_page([], head)).headline == "Leader expelled, party split"
    teaser = '<span itemscope><meta itemprop="headline" content="A teaser of another story"></span>'
    assert read_metadata(_page([], "", teaser)).headline is None
