"""Crawler stage: Scrapy spiders that discover and extract articles and hand them to workers."""
