"""Crawler components find the newsloom settings through one helper, or stay out of the crawl."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.archive import WarcCapture
from crawler.frontier.scheduler import RedisFrontierScheduler
from crawler.pipelines.enqueue import EnqueuePipeline
from crawler.settings import incremental_settings, newsloom_settings, scrapy_settings
from newsloom.settings import Settings


def _crawler(values: dict[str, object]) -> Crawler:
    return Crawler(Spider, values)


def test_a_crawl_built_from_settings_hands_them_back() -> None:
    settings = Settings()
    assert newsloom_settings(_crawler(scrapy_settings(settings))) == settings


def test_a_bare_scrapy_crawl_leaves_newsloom_components_out() -> None:
    bare = _crawler({"NEWSLOOM_CRAWL_JOB": "job"})
    with pytest.raises(NotConfigured, match="newsloom crawl"):
        newsloom_settings(bare)
    for component in (EnqueuePipeline, WarcCapture, RedisFrontierScheduler):
        with pytest.raises(NotConfigured, match="NEWSLOOM_SETTINGS is not set"):
            component.from_crawler(bare)


def test_incremental_components_need_an_incremental_crawl() -> None:
    settings = Settings()
    full = _crawler(scrapy_settings(settings))
    with pytest.raises(NotConfigured, match="not an incremental crawl"):
        incremental_settings(full)
    incremental = _crawler({**scrapy_settings(settings), "NEWSLOOM_INCREMENTAL": True})
    assert incremental_settings(incremental) == settings
