"""Scrapy extensions: cross-cutting crawl behaviour hooked to signals (metrics)."""
