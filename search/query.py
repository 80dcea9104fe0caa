"""The article search the CLI and the API share: safe free text, ranked, highlighted."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from search.request import SearchRequest
from search.results import SearchHit, run_search
from search.text_query import MAX_QUERY_LENGTH, build_query

__all__ = ["MAX_QUERY_LENGTH", "SearchHit", "build_query", "search_articles"]


def search_articles(es: Elasticsearch, alias: str, text: str, size: int = 10) -> list[SearchHit]:
    """Run ``text`` against ``alias`` and return up to ``size`` ranked, highlighted hits.

    The same request the API's ``GET /search`` builds, without filters.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise ValueError(f"query is {len(text)} characters; the limit is {MAX_QUERY_LENGTH}")
    return run_search(es, alias, SearchRequest(text=text, size=size), paginate=False).hits
