"""Simple text statistics."""

from __future__ import annotations

import re

from newsloom.schema import Article
from workers.enrichment.stage import record

__all__ = ["VERSION", "count_words"]

VERSION = "counts-1"
_WORD = re.compile(r"\w+")


def count_words(article: Article) -> Article:
    """Set ``enrichment.word_count`` from the body."""
    return record(article, "counts", VERSION, word_count=len(_WORD.findall(article.body)))
