"""The source registry: which outlets to crawl and how."""

from crawler.sources.model import Source, SourceRegistry, SourcesError, load_sources

__all__ = ["Source", "SourceRegistry", "SourcesError", "load_sources"]
