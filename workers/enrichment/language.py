"""Language identification, offline (py3langid ships its model in the wheel)."""

from __future__ import annotations

import py3langid

from newsloom.schema import Article

__all__ = ["VERSION", "identify_language"]

VERSION = "py3langid-1"


def identify_language(article: Article) -> Article:
    """Set ``language`` from the title and body text; keeps a page-declared one if text is short."""
    text = f"{article.title}\n{article.body}"
    if len(text.split()) < 5 and article.language:
        return article
    language, _score = py3langid.classify(text)
    stage_versions = {**article.enrichment.stage_versions, "language": VERSION}
    enrichment = article.enrichment.model_copy(update={"stage_versions": stage_versions})
    return article.model_copy(update={"language": language, "enrichment": enrichment})
