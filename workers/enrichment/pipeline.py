"""The ordered enrichment stages an article goes through."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newsloom.schema import Article
from workers.enrichment.counts import count_words
from workers.enrichment.language import identify_language

__all__ = ["STAGES", "enrich"]

Stage = Callable[[Article], Article]
STAGES: Sequence[Stage] = (identify_language, count_words)


def enrich(article: Article, stages: Sequence[Stage] = STAGES) -> Article:
    """Run ``article`` through every stage in order."""
    for stage in stages:
        article = stage(article)
    return article
