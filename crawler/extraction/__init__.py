"""Turning a fetched page into an ``Article``."""

from crawler.extraction.article import (
    ExtractionError,
    NotHTMLError,
    extract_article,
    extract_response_article,
)

__all__ = ["ExtractionError", "NotHTMLError", "extract_article", "extract_response_article"]
