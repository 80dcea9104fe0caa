"""Elasticsearch client construction from settings."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from newsloom.settings import Settings

__all__ = ["create_client"]


def create_client(settings: Settings) -> Elasticsearch:
    """A client that retries timeouts and connection errors a few times before giving up."""
    return Elasticsearch(
        str(settings.elasticsearch_url),
        basic_auth=settings.elasticsearch_basic_auth(),
        request_timeout=30,
        retry_on_timeout=True,
        max_retries=3,
    )
