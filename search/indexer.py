"""Write articles to Elasticsearch, once per canonical URL and never older over newer."""

from __future__ import annotations

from elasticsearch import ConflictError, Elasticsearch

from newsloom.schema import Article

__all__ = ["index_article"]


def _version(article: Article) -> int:
    # The fetch time orders versions of one article: with external versioning a late,
    # older copy of an article is refused instead of overwriting the newer one.
    return int(article.fetched_at.timestamp() * 1000)


def index_article(es: Elasticsearch, alias: str, article: Article) -> bool:
    """Index ``article`` under its id; return False when a newer copy is already indexed."""
    try:
        es.index(
            index=alias,
            id=article.id,
            document=article.model_dump(mode="json"),
            version=_version(article),
            version_type="external_gte",
        )
    except ConflictError:
        return False
    return True
