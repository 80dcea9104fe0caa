"""Turning a fetched page into an ``Article``."""

from crawler.extraction.article import ExtractionError, extract_article

__all__ = ["ExtractionError", "extract_article"]
