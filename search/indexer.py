"""Write one article to Elasticsearch, once per canonical URL and never older over newer."""

from __future__ import annotations

from elasticsearch import ConflictError, Elasticsearch

from newsloom.schema import Article
from search.aliases import write_alias
from search.bulk import document_version

__all__ = ["index_article"]


def index_article(es: Elasticsearch, alias: str, article: Article) -> bool:
    """Index ``article`` through the write alias of ``alias``.

    Returns False when a newer copy is already indexed: the version is the fetch time, and
    with external versioning a late, older copy is refused instead of overwriting the newer.
    """
    try:
        es.index(
            index=write_alias(alias),
            id=article.id,
            document=article.model_dump(mode="json"),
            version=document_version(article.fetched_at),
            version_type="external_gte",
        )
    except ConflictError:
        return False
    return True
