"""The shared, durable crawl frontier: several crawler processes split one job through Redis."""

from crawler.frontier.state import CrawlState, Lease

__all__ = ["CrawlState", "Lease"]
