"""What every enrichment stage shares: recording its result and version on the article."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newsloom.schema import Article

__all__ = ["Stage", "record"]

Stage = Callable[[Article], Article]


def record(article: Article, stage: str, version: str, **fields: Any) -> Article:
    """A copy of ``article`` with ``fields`` set on its enrichment and ``stage``'s version noted.

    The version travels with the article so a re-enrichment can pick out the articles an
    older stage produced.
    """
    stage_versions = {**article.enrichment.stage_versions, stage: version}
    enrichment = article.enrichment.model_copy(update={**fields, "stage_versions": stage_versions})
    return article.model_copy(update={"enrichment": enrichment})
