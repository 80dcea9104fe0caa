"""Read what a page declares about its article: JSON-LD, OpenGraph, meta tags and headings.

Publishers describe their articles for search engines and social networks; those declarations
name the headline, the people who wrote it and the dates, more reliably than text heuristics.
Everything here reads only standard vocabularies (schema.org, OpenGraph, Dublin Core, HTML).
"""

from __future__ import annotations

import html as html_lib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html
from lxml.html import HtmlElement

from crawler.extraction.byline import Byline, read_byline

__all__ = ["PageMetadata", "json_ld_objects", "read_metadata"]

_PARSER = lxml_html.HTMLParser(encoding="utf-8")

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "reviewnewsarticle", "report", "socialmediaposting", "webpage", "askpublicnewsarticle",
}  # fmt: skip


# Meta tags that name authors: HTML, OpenGraph, Dublin Core, the NYT "byl", schema.org's
# property names used as meta names, and the widespread analytics and recommendation
# vocabularies (Sailthru, Parse.ly, Cxense) that publishers fill from their CMS.
_AUTHOR_META = (
    "author", "article:author", "article:author_name", "og:author", "og:article:author",
    "dc.creator", "dcterms.creator", "byl", "articleauthor", "sailthru.author",
    "parsely-author", "cxenseparse:author",
)  # fmt: skip


@dataclass
class PageMetadata:
    """Declared facts about a page's article; empty when the page does not declare them."""

    headline: str | None = None
    meta_titles: list[str] = field(default_factory=list)
    document_title: str | None = None
    headings: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    person_authors: list[str] = field(default_factory=list)
    organization_authors: list[str] = field(default_factory=list)
    meta_authors: list[str] = field(default_factory=list)
    byline: Byline = field(default_factory=Byline)
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    language: str | None = None
    canonical: str | None = None
    description: str | None = None


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        # JSON-LD blocks are often written HTML-escaped (``&quot;``, ``&#8217;``).
        return " ".join(html_lib.unescape(value).split())
    return None


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(item).casefold() for item in values}


def _walk(node: object) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object, through lists and ``@graph``s."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        yield from _walk(node.get("@graph", []))
        yield from _walk(node.get("mainEntity", []))


def json_ld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the parsed page ``tree``; broken blocks are skipped."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null", strict=False)
        except ValueError:
            continue  # a broken block says nothing; the meta tags may still
        yield from _walk(data)


def _person_name(node: dict[str, Any]) -> str | None:
    """``name``, or schema.org's ``givenName`` and ``familyName`` when only those are given."""
    parts = (_text(node.get(key)) for key in ("givenName", "familyName"))
    return _text(node.get("name")) or _text(" ".join(part for part in parts if part))


def _names(value: object) -> Iterator[tuple[str, str]]:
    """(name, kind) of every author entry: kind "person", "organization" or "unknown"."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and (name := _text(item)):
            yield name, "unknown"
        elif isinstance(item, dict) and (name := _person_name(item)):
            kinds = _types(item)
            kind = "organization" if kinds & {"organization", "newsmediaorganization"} else "person"
            yield name, kind


def _image(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url")
    return _text(value)


def _apply_json_ld(found: PageMetadata, node: dict[str, Any]) -> None:
    found.headline = found.headline or _text(node.get("headline"))
    for name, kind in _names(node.get("author", [])):
        target = found.organization_authors if kind == "organization" else found.person_authors
        if name not in target:
            target.append(name)
    found.published = found.published or _text(node.get("datePublished"))
    found.modified = found.modified or _text(node.get("dateModified"))
    section = node.get("articleSection")
    found.section = found.section or _text(section[0] if isinstance(section, list) else section)
    keywords = node.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list) and not found.tags:
        found.tags = [tag for k in keywords if (tag := _text(k))]
    found.image = found.image or _image(node.get("image"))
    found.language = found.language or _text(node.get("inLanguage"))
    publisher = node.get("publisher")
    if isinstance(publisher, dict) and (publisher_name := _text(publisher.get("name"))):
        found.site_names.append(publisher_name)


def _meta(tree: Any) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").casefold()
        if key and (content := _text(meta.get("content"))):
            values.setdefault(key, []).append(content)
    return values


def _apply_meta(found: PageMetadata, meta: dict[str, list[str]]) -> None:
    def first(*keys: str) -> str | None:
        return next((meta[key][0] for key in keys if key in meta), None)

    found.meta_titles = [t for key in ("og:title", "twitter:title") for t in meta.get(key, [])]
    found.site_names += meta.get("og:site_name", []) + meta.get("application-name", [])
    for key in _AUTHOR_META:
        for name in meta.get(key, []):
            if not name.startswith("http") and name not in found.meta_authors:
                found.meta_authors.append(name)
    found.published = found.published or first(
        "article:published_time", "datepublished", "pubdate", "dc.date.issued", "date"
    )
    found.modified = found.modified or first("article:modified_time", "datemodified")
    found.section = found.section or first("article:section")
    found.tags = found.tags or meta.get("article:tag", []) or meta.get("news_keywords", [])
    found.image = found.image or first("og:image", "twitter:image")
    found.description = first("og:description", "description", "twitter:description")


def read_metadata(page: str | HtmlElement) -> PageMetadata:
    """Collect the article facts a page declares (JSON-LD first, then meta tags).

    ``page`` is the HTML or, to spare a second parse, the tree the body extractor reads.
    """
    found = PageMetadata()
    if isinstance(page, str):
        if not page.strip():
            return found
        # Bytes with an explicit encoding: lxml would otherwise guess (latin-1) for str input
        # that carries no charset declaration, and mangle every non-ASCII character.
        tree = lxml_html.fromstring(page.encode("utf-8"), parser=_PARSER)
    else:
        tree = page
    for node in json_ld_objects(tree):
        if _types(node) & _ARTICLE_TYPES:
            _apply_json_ld(found, node)
    _apply_meta(found, _meta(tree))
    # schema.org's property as a page-level meta name (a microdata ``itemprop`` belongs to
    # whatever item holds it: a teaser, a gallery).
    declared = tree.xpath('//meta[@name="headline"]/@content')
    found.headline = found.headline or (_text(declared[0]) if declared else None)
    found.document_title = _text(" ".join(tree.xpath("//head/title//text()")))
    found.headings = [h for node in tree.xpath("//body//h1") if (h := _text(node.text_content()))]
    found.byline = read_byline(tree)
    found.language = found.language or _text(tree.get("lang"))
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    found.canonical = _text(canonical[0]) if canonical else None
    return found
