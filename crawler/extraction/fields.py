"""Pull every article field out of one HTML page, independent of any source or schema.

The main-content extractor (trafilatura) finds the body; the page's own structured metadata
(JSON-LD, OpenGraph, meta tags; see ``metadata.py``) usually knows the title, authors and
dates better than any heuristic, so both are read and reconciled here. ``article.py`` maps the
result onto the shared ``Article``; the extraction benchmark scores it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.settings import use_config

from crawler.extraction.authors import choose_authors
from crawler.extraction.body import PRUNE_XPATH, finish_body, parse_page
from crawler.extraction.metadata import PageMetadata, read_metadata
from crawler.extraction.title import choose_title, shown_on

__all__ = ["ExtractedFields", "extract_fields"]

# Signal-based timeouts only work in the main thread; Scrapy callbacks may run elsewhere.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass
class ExtractedFields:
    """What one page says about its article; empty strings and lists when it says nothing."""

    title: str = ""
    body: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    lead: str | None = None
    image_url: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        # Python 3.11 reads "Z" and most ISO 8601 forms that publishers declare.
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _split_list(value: str | list[str] | None) -> list[str]:
    """trafilatura gives authors as one "A; B" string and tags as a list."""
    if not value:
        return []
    parts = value if isinstance(value, list) else value.replace(";", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


def _published(declared: datetime | None, tree: HtmlElement | None, url: str) -> datetime | None:
    """The declared date when it carries a time zone; else what htmldate finds on the page."""
    if declared is not None and declared.tzinfo is not None:
        return declared
    if tree is None:
        return declared
    # htmldate copies a tree it is given before pruning it, so the shared tree stays whole.
    found = find_date(
        tree, url=url, extensive_search=True, original_date=True, outputformat=_DATE_FORMAT
    )
    return _parse_date(found) or declared


def _authors(declared: PageMetadata, tree: HtmlElement | None, url: str) -> list[str]:
    """The authors the page declares or shows; else those trafilatura's byline search finds.

    That search copies and prunes the whole tree, so it runs only when nothing else names one.
    """
    found = choose_authors(declared, [], url)
    if found or tree is None:
        return found
    return choose_authors(declared, _split_list(extract_author(tree)), url)


def extract_fields(html: str, url: str) -> ExtractedFields:
    """Extract title, authors, dates, body and the other article fields from ``html``.

    The page is parsed once: the metadata readers, trafilatura (which copies the tree before
    pruning it) and the body clean-up all read the same tree. trafilatura's own metadata pass
    is skipped, since the declared metadata and htmldate cover what it would find.
    """
    tree = parse_page(html)
    declared = read_metadata(html if tree is None else tree)
    document = trafilatura.bare_extraction(
        html if tree is None else tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        prune_xpath=PRUNE_XPATH,
        config=_CONFIG,
    )
    # No main content found still leaves what the page declares (title, authors, dates).
    found: dict[str, Any] = {}
    if document is not None:
        found = document if isinstance(document, dict) else document.as_dict()
    title = choose_title(declared, url, None if tree is None else shown_on(tree))
    # Headline and lead are fields of their own: every name the page gives its headline.
    titles = [title, declared.headline, *declared.meta_titles, *declared.headings]
    # Bylines above the body are recognised by the names the page declares for its authors.
    names = [*declared.person_authors, *declared.meta_authors]
    body = finish_body(found.get("text") or "", tree, titles, declared.description, names)
    return ExtractedFields(
        title=title,
        body=body,
        authors=_authors(declared, tree, url),
        published_at=_published(_parse_date(declared.published), tree, url),
        modified_at=_parse_date(declared.modified),
        lead=declared.description,
        image_url=declared.image,
        section=declared.section,
        tags=declared.tags,
        language=declared.language,
        canonical_url=declared.canonical,
    )
