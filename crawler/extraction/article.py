"""Extract an ``Article`` from HTML with trafilatura, then clean the body.

trafilatura does the main-content and metadata work; this module maps its output onto the
shared schema and applies the boilerplate clean-up that makes bodies fit for search.
"""

from __future__ import annotations

from datetime import datetime

import trafilatura
from trafilatura.settings import use_config

from crawler.extraction.boilerplate import clean_body
from crawler.sources import Source
from crawler.urls import canonical_url
from newsloom.schema import Article

__all__ = ["ExtractionError", "extract_article"]

# Signal-based timeouts only work in the main thread; Scrapy callbacks may run elsewhere.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
_DATE_PARAMS = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


class ExtractionError(ValueError):
    """The page holds no article we can use (no title or no body)."""


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _split_list(value: str | list[str] | None) -> list[str]:
    """trafilatura gives authors as one "A; B" string and tags as a list."""
    if not value:
        return []
    parts = value if isinstance(value, list) else value.replace(";", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


def extract_article(html: str, url: str, source: Source) -> Article:
    """Extract title, authors, dates, body and language from one page of ``source``."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
        config=_CONFIG,
    )
    if document is None:
        raise ExtractionError(f"{url}: no main content found")
    fields = document if isinstance(document, dict) else document.as_dict()
    title = (fields.get("title") or "").strip()
    body = clean_body(fields.get("text") or "")
    if not title or not body:
        raise ExtractionError(f"{url}: extracted article has no {'title' if not title else 'body'}")
    if body.startswith(title):
        body = body[len(title) :].lstrip()
    canonical = canonical_url(fields.get("url") or url)
    return Article(
        url=url,
        canonical_url=canonical,
        source_id=source.id,
        source_name=source.name,
        title=title,
        body=body,
        lead=fields.get("description"),
        authors=_split_list(fields.get("author")),
        published_at=_parse_date(fields.get("date")),
        language=fields.get("language") or (source.languages[0] if source.languages else None),
        tags=_split_list(fields.get("tags")),
        image_url=fields.get("image"),
    )
