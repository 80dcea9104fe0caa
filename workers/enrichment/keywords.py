"""Keywords: the terms that characterise an article, weighted.

Term frequency over content words, with entity names counted as single terms (so "North
Korea" is one keyword, not "north" and "korea") and boosted, because analysts navigate by
names. Scores are relative to the top term (1.0).
"""

from __future__ import annotations

from collections import defaultdict

from newsloom.schema import Article, Keyword
from workers.enrichment.gazetteer import normalise
from workers.enrichment.stage import record
from workers.enrichment.text import content_words

__all__ = ["VERSION", "extract_keywords"]

VERSION = "keywords-tf-1"
_ENTITY_BOOST = 1.5
_TITLE_BOOST = 2.0
_LIMIT = 12


def extract_keywords(article: Article) -> Article:
    """Set ``enrichment.keywords``; runs after the entities stage and reuses its names."""
    counts: defaultdict[str, float] = defaultdict(float)
    for word in content_words(article.body):
        counts[word] += 1
    for word in content_words(article.title):
        counts[word] += _TITLE_BOOST
    # Words inside entity names are already counted through the entity.
    for entity in article.enrichment.entities:
        for surface in entity.surface_forms:
            for word in content_words(surface):
                counts[word] -= entity.mentions
        counts[entity.name] += entity.mentions * _ENTITY_BOOST
    ranked = sorted(
        ((term, score) for term, score in counts.items() if score > 1),
        key=lambda item: (-item[1], normalise(item[0])),
    )[:_LIMIT]
    top = ranked[0][1] if ranked else 1.0
    keywords = [Keyword(term=term, score=round(score / top, 3)) for term, score in ranked]
    return record(article, "keywords", VERSION, keywords=keywords)
