"""The ordered enrichment stages an article goes through.

Order matters where a stage reads another's output: geotagging and keywords read the
entities, the summary reads the keywords.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsloom.schema import Article
from workers.enrichment.counts import count_words
from workers.enrichment.embeddings import embed_article
from workers.enrichment.entities import extract_entities
from workers.enrichment.geotag import geotag
from workers.enrichment.keywords import extract_keywords
from workers.enrichment.language import identify_language
from workers.enrichment.stage import Stage
from workers.enrichment.summary import summarise
from workers.enrichment.topics import classify_topics

__all__ = ["AFTER_LANGUAGE", "STAGES", "Stage", "enrich"]

# The stages after language identification: a worker identifies the language first to
# decide whether the article is for it (workers.routing).
AFTER_LANGUAGE: Sequence[Stage] = (
    count_words,
    extract_entities,
    geotag,
    extract_keywords,
    summarise,
    classify_topics,
    embed_article,
)
STAGES: Sequence[Stage] = (identify_language, *AFTER_LANGUAGE)


def enrich(article: Article, stages: Sequence[Stage] = STAGES) -> Article:
    """Run ``article`` through every stage in order."""
    for stage in stages:
        article = stage(article)
    return article
