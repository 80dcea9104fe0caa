"""Simple text statistics."""

from __future__ import annotations

import re

from newsloom.schema import Article

__all__ = ["VERSION", "count_words"]

VERSION = "counts-1"
_WORD = re.compile(r"\w+")


def count_words(article: Article) -> Article:
    """Set ``enrichment.word_count`` from the body."""
    stage_versions = {**article.enrichment.stage_versions, "counts": VERSION}
    enrichment = article.enrichment.model_copy(
        update={"word_count": len(_WORD.findall(article.body)), "stage_versions": stage_versions}
    )
    return article.model_copy(update={"enrichment": enrichment})
