"""Index templates and the bootstrap of the versioned index behind the ``articles`` alias.

Analysis uses only what the core Elasticsearch distribution ships (standard tokenizer,
lowercase, stop, hunspell), so the same template works in tests and in the official image,
which gets the en_US hunspell dictionary mounted under ``config/hunspell/en_US``.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import BadRequestError, Elasticsearch

from search.aliases import write_alias
from search.lifecycle import lifecycle_component

__all__ = [
    "ensure_index",
    "field_types",
    "index_template",
    "initial_index_name",
    "remove_index",
]

# Apply a new version to existing indices with `newsloom index reindex`.
# 2: offsets in the postings of highlighted fields; 3: 256-dimension embeddings.
TEMPLATE_VERSION = 3
_EXACT_SUBFIELD = {"exact": {"type": "text", "analyzer": "news_exact"}}
_ENGLISH_TEXT: dict[str, Any] = {
    "type": "text",
    "analyzer": "news_english",
    # Highlighting reads offsets from the postings instead of running each hit's text through
    # hunspell again, which cost most of a search's time over long bodies.
    "index_options": "offsets",
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
                    "entities": {
                        "type": "nested",
                        "properties": {
                            "name": keyword,
                            "type": keyword,
                            "mentions": {"type": "integer"},
                            "surface_forms": keyword,
                        },
                    },
                    "places": {
                        "properties": {
                            "name": keyword,
                            "country_code": keyword,
                            "location": {"type": "geo_point"},
                        }
                    },
                    "countries": keyword,
                    "keywords": {"properties": {"term": keyword, "score": {"type": "float"}}},
                    "summary": {"type": "text", "analyzer": "news_english"},
                    "topics": {"properties": {"label": keyword, "score": {"type": "float"}}},
                    "duplicate_group": keyword,
                    "story_id": keyword,
                    "story_label": keyword,
                    # workers.enrichment.embeddings.DIMENSIONS: the packaged model's size.
                    "embedding": {"type": "dense_vector", "dims": 256, "similarity": "cosine"},
                    "stage_versions": {"type": "object", "enabled": False},
                    # Filterable ("which articles had no model?"); other stages' keys are kept
                    # in the source only.
                    "methods": {
                        "dynamic": False,
                        "properties": {"entities": keyword, "keywords": keyword},
                    },
                }
            },
        },
    }


def field_types() -> dict[str, str]:
    """Every mapped field by dotted path (subfields included) with its type; objects are
    ``object`` and nested ones ``nested``. For checking things that name fields, like Kibana's.
    """
    found: dict[str, str] = {}

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = f"{prefix}{name}"
            found[path] = spec.get("type", "object")
            walk(spec.get("properties", {}), f"{path}.")
            walk(spec.get("fields", {}), f"{path}.")

    walk(_mappings_component()["properties"], "")
    return found


def index_template(alias: str, replicas: int) -> dict[str, Any]:
    """The composable index template body for indices behind ``alias``.

    Analyzers and the mappings that name them share one component template: Elasticsearch
    validates each component on its own, so a mapping cannot use another's analyzer.
    """
    return {
        "index_patterns": [f"{alias}-*"],
        # Aliases may nest ("news" and "news-archive" both name indices "<alias>-*"), and
        # Elasticsearch refuses overlapping templates of one priority. The longer alias is the
        # more specific, so its template outranks the shorter one's.
        "priority": 100 + len(alias),
        "version": TEMPLATE_VERSION,
        # The lifecycle component exists only where ILM does (see search.lifecycle).
        "composed_of": [f"{alias}-article", lifecycle_component(alias)],
        "ignore_missing_component_templates": [lifecycle_component(alias)],
        "template": {"settings": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "_meta": {"description": "newsloom articles"},
    }


def initial_index_name(alias: str) -> str:
    """Name of the first versioned index; rollover increments the suffix."""
    return f"{alias}-000001"


def ensure_index(es: Elasticsearch, alias: str, replicas: int = 0) -> None:
    """Install the templates and create the first index behind the read and write aliases.

    Safe to call from many processes at once: templates are idempotent puts, and a lost race
    to create the index is recognised and ignored. An index made before the write alias
    existed gets it added, on the index the read alias writes to.
    """
    es.cluster.put_component_template(
        name=f"{alias}-article",
        template={"settings": _analysis_settings(), "mappings": _mappings_component()},
    )
    es.indices.put_index_template(name=alias, **index_template(alias, replicas))
    writer = write_alias(alias)
    if not es.indices.exists_alias(name=alias):
        _create_first_index(es, alias, writer)
    elif not es.indices.exists_alias(name=writer):
        entries: dict[str, Any] = es.indices.get_alias(name=alias).body
        flagged = [i for i, e in entries.items() if e["aliases"][alias].get("is_write_index")]
        target = (flagged or sorted(entries))[-1]
        es.indices.update_aliases(
            actions=[{"add": {"index": target, "alias": writer, "is_write_index": True}}]
        )


def remove_index(es: Elasticsearch, alias: str) -> None:
    """Delete the indices behind ``alias`` and the templates :func:`ensure_index` installed.

    For throw-away aliases (benchmarks, tests); whatever is already gone is skipped.
    """
    es.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
    lenient = es.options(ignore_status=404)
    lenient.indices.delete_index_template(name=alias)
    lenient.cluster.delete_component_template(name=f"{alias}-article")


def _create_first_index(es: Elasticsearch, alias: str, writer: str) -> None:
    try:
        es.indices.create(
            index=initial_index_name(alias),
            aliases={alias: {}, writer: {"is_write_index": True}},
        )
    except BadRequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
