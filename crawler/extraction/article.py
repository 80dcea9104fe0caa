"""Map the fields extracted from a page onto the shared ``Article`` of one source."""

from __future__ import annotations

from crawler.extraction.fields import extract_fields
from crawler.sources import Source
from crawler.urls import canonical_url
from newsloom.schema import Article

__all__ = ["ExtractionError", "extract_article"]


class ExtractionError(ValueError):
    """The page holds no article we can use (no title or no body)."""


def extract_article(html: str, url: str, source: Source) -> Article:
    """Extract title, authors, dates, body and language from one page of ``source``."""
    fields = extract_fields(html, url)
    if not fields.title or not fields.body:
        missing = "title" if not fields.title else "body"
        raise ExtractionError(f"{url}: extracted article has no {missing}")
    return Article(
        url=url,
        canonical_url=canonical_url(fields.canonical_url or url),
        source_id=source.id,
        source_name=source.name,
        title=fields.title,
        body=fields.body,
        lead=fields.lead,
        authors=fields.authors,
        published_at=fields.published_at,
        modified_at=fields.modified_at,
        language=fields.language or (source.languages[0] if source.languages else None),
        section=fields.section,
        tags=fields.tags,
        image_url=fields.image_url,
    )
