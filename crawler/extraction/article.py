"""Map the fields extracted from a page onto the shared ``Article`` of one source.

The general extractor reads every page; the source's extraction overrides (if its registry
entry has any) then replace the fields they select. Misses are counted into the crawl's stats
as drops (``newsloom/dropped/override_<field>_<reason>/<source>``) when stats are given.
"""

from __future__ import annotations

import logging
from typing import Protocol

from crawler.extensions.metrics import DROPPED_PREFIX
from crawler.extraction.encoding import decode_html, header_encoding
from crawler.extraction.fields import extract_fields
from crawler.extraction.overrides import apply_overrides
from crawler.sources import Source
from crawler.urls import canonical_url
from newsloom.errors import InvalidInputError
from newsloom.schema import Article

__all__ = [
    "Counts",
    "ExtractionError",
    "NotHTMLError",
    "extract_article",
    "extract_response_article",
]

logger = logging.getLogger(__name__)


class Counts(Protocol):
    """Where misses are counted: the crawl's Scrapy stats, or a pool process's tally."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        """Add ``count`` to ``key`` (``start`` when it is new)."""


class ExtractionError(InvalidInputError):
    """The page holds no article we can use (no title or no body)."""


class NotHTMLError(ExtractionError):
    """The response is not an HTML page (a PDF, an image, a feed where a page was expected)."""


def extract_article(html: str, url: str, source: Source, *, stats: Counts | None = None) -> Article:
    """Extract title, authors, dates, body and language from one page of ``source``.

    ``stats`` (the crawl's) counts the source's override selectors that found nothing.
    """
    result = apply_overrides(extract_fields(html, url), html, source)
    for miss in result.misses:
        logger.info("%s: extraction override %s of %s: %s", url, miss.field, source.id, miss.reason)
        if stats is not None:
            stats.inc_value(f"{DROPPED_PREFIX}{miss.label}/{source.id}")
    fields = result.fields
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


def extract_response_article(
    body: bytes,
    content_type: str,
    url: str,
    source: Source,
    *,
    stats: Counts | None = None,
) -> Article:
    """Decode an HTTP response body (trusting its charset only if it fits) and extract it."""
    if "html" not in content_type.lower():
        raise NotHTMLError(f"{url}: not HTML ({content_type or 'no content type'})")
    html = decode_html(body, header_encoding(content_type))
    return extract_article(html, url, source, stats=stats)
