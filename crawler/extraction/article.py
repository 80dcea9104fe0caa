"""Map the fields extracted from a page onto the shared ``Article`` of one source."""

from __future__ import annotations

from crawler.extraction.encoding import decode_html, header_encoding
from crawler.extraction.fields import extract_fields
from crawler.sources import Source
from crawler.urls import canonical_url
from newsloom.schema import Article

__all__ = ["ExtractionError", "NotHTMLError", "extract_article", "extract_response_article"]


class ExtractionError(ValueError):
    """The page holds no article we can use (no title or no body)."""


class NotHTMLError(ExtractionError):
    """The response is not an HTML page (a PDF, an image, a feed where a page was expected)."""


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


def extract_response_article(body: bytes, content_type: str, url: str, source: Source) -> Article:
    """Decode an HTTP response body (trusting its charset only if it fits) and extract it."""
    if "html" not in content_type.lower():
        raise NotHTMLError(f"{url}: not HTML ({content_type or 'no content type'})")
    return extract_article(decode_html(body, header_encoding(content_type)), url, source)
