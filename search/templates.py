"""Index templates and the bootstrap of the versioned index behind the ``articles`` alias.

Analysis uses only what the core Elasticsearch distribution ships (standard tokenizer,
lowercase, stop, hunspell), so the same template works in tests and in the official image,
which gets the en_US hunspell dictionary mounted under ``config/hunspell/en_US``.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

__all__ = ["ensure_index", "index_template", "initial_index_name"]

TEMPLATE_VERSION = 1
_EXACT_SUBFIELD = {"exact": {"type": "text", "analyzer": "news_exact"}}
_ENGLISH_TEXT: dict[str, Any] = {
    "type": "text",
    "analyzer": "news_english",
    "fields": _EXACT_SUBFIELD,
}


def _analysis_settings() -> dict[str, Any]:
    return {
        "analysis": {
            "filter": {
                "news_english_stop": {"type": "stop", "stopwords": "_english_"},
                "news_english_hunspell": {"type": "hunspell", "locale": "en_US", "dedup": True},
            },
            "analyzer": {
                "news_english": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "news_english_stop", "news_english_hunspell"],
                },
                # Unstemmed, for phrase and exact-wording searches.
                "news_exact": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase"],
                },
            },
        },
    }


def _mappings_component() -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "properties": {
            "id": keyword,
            "url": {"type": "keyword", "index": False},
            "canonical_url": keyword,
            "source_id": keyword,
            "source_name": keyword,
            "title": {**_ENGLISH_TEXT, "fields": {**_EXACT_SUBFIELD, "raw": keyword}},
            "lead": _ENGLISH_TEXT,
            "body": _ENGLISH_TEXT,
            "authors": keyword,
            "published_at": {"type": "date"},
            "modified_at": {"type": "date"},
            "fetched_at": {"type": "date"},
            "language": keyword,
            "section": keyword,
            "tags": keyword,
            "image_url": {"type": "keyword", "index": False},
            "content_hash": keyword,
            "enrichment": {
                "properties": {
                    "word_count": {"type": "integer"},
                    "stage_versions": {"type": "object", "enabled": False},
                }
            },
        },
    }


def index_template(alias: str, replicas: int) -> dict[str, Any]:
    """The composable index template body for indices behind ``alias``.

    Analyzers and the mappings that name them share one component template: Elasticsearch
    validates each component on its own, so a mapping cannot use another's analyzer.
    """
    return {
        "index_patterns": [f"{alias}-*"],
        "priority": 100,
        "version": TEMPLATE_VERSION,
        "composed_of": [f"{alias}-article"],
        "template": {"settings": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "_meta": {"description": "newsloom articles"},
    }


def initial_index_name(alias: str) -> str:
    """Name of the first versioned index; rollover increments the suffix."""
    return f"{alias}-000001"


def ensure_index(es: Elasticsearch, alias: str, replicas: int = 0) -> None:
    """Install the templates and create the first index with its alias, if missing.

    Safe to call from many processes at once: templates are idempotent puts, and a lost race
    to create the index is recognised and ignored.
    """
    es.cluster.put_component_template(
        name=f"{alias}-article",
        template={"settings": _analysis_settings(), "mappings": _mappings_component()},
    )
    es.indices.put_index_template(name=alias, **index_template(alias, replicas))
    if es.indices.exists_alias(name=alias):
        return
    es.options(ignore_status=400).indices.create(
        index=initial_index_name(alias), aliases={alias: {"is_write_index": True}}
    )
