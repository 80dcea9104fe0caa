"""The article search the CLI and the API share: safe free text, ranked, highlighted."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from newsloom.settings import get_settings
from search.request import SearchRequest
from search.results import SearchHit, run_search
from search.text_query import MAX_QUERY_LENGTH, build_query, check_cost

__all__ = ["MAX_QUERY_LENGTH", "SearchHit", "build_query", "search_articles"]


def search_articles(
    es: Elasticsearch, alias: str, text: str, size: int = 10, *, timeout_s: float | None = None
) -> list[SearchHit]:
    """Run ``text`` against ``alias`` and return up to ``size`` ranked, highlighted hits.

    The same request the API's ``GET /search`` builds, without filters, stopped after
    ``timeout_s`` (default: the ``search_timeout_s`` setting). Raises ``ValueError`` with what
    to change for a query that is too long or too costly.
    """
    check_cost(text)
    timeout = get_settings().search_timeout_s if timeout_s is None else timeout_s
    return run_search(es, alias, SearchRequest(text=text, size=size), timeout_s=timeout).hits
