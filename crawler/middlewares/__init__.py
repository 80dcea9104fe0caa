"""Scrapy downloader middlewares: safety and politeness checks on every request."""
