"""Canonical URLs: one article, one id, however it was linked."""

from __future__ import annotations

from crawler.urls import canonical_url
from newsloom.schema import article_id


def test_tracking_parameters_and_fragment_are_dropped() -> None:
    linked = "https://example.com/news/a?utm_source=x&id=7&fbclid=abc#comments"
    assert canonical_url(linked) == "https://example.com/news/a?id=7"


def test_same_article_same_id() -> None:
    first = canonical_url("https://example.com/a?b=2&a=1")
    second = canonical_url("https://example.com/a?a=1&b=2&utm_medium=rss")
    assert article_id(first) == article_id(second)
