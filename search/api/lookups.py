"""Queries behind the article, related, story and entity endpoints."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from newsloom.schema import Article, Enrichment
from search.dates import UtcDatetime
from search.request import es_timeout
from search.results import SearchHit, hit_from_document

__all__ = [
    "ArticleView",
    "EntityCount",
    "Story",
    "entities_with_prefix",
    "get_article",
    "latest_stories",
    "near_duplicates",
    "related_articles",
    "story_articles",
]

_NOT_IN_LISTS = ["body", "enrichment.embedding"]


class Story(BaseModel):
    """A cluster of articles on one event."""

    id: str
    label: str | None
    articles: int
    first_published: UtcDatetime | None
    last_published: UtcDatetime | None


class EntityCount(BaseModel):
    """A canonical entity name and how many articles name it."""

    name: str
    type: str | None
    articles: int


def _timeout(timeout_s: float | None) -> str | None:
    # None leaves the search unbounded on the server, as a direct caller (the CLI) may want.
    return es_timeout(timeout_s) if timeout_s is not None else None


class EnrichmentView(Enrichment):
    """What the workers added, without the embedding (256 numbers no reader needs)."""

    embedding: SkipJsonSchema[list[float] | None] = Field(default=None, exclude=True)


class ArticleView(Article):
    """One article as stored, its dates with their time zone, without the embedding."""

    published_at: UtcDatetime | None = None
    modified_at: UtcDatetime | None = None
    fetched_at: UtcDatetime
    enrichment: EnrichmentView = Field(default_factory=EnrichmentView)


def get_article(es: Elasticsearch, alias: str, article_id: str) -> dict[str, Any] | None:
    """The stored article with its index name, or None.

    A search by id rather than GET, because after a rollover the alias spans several indices.
    """
    # Elasticsearch 9 leaves vectors out of _source unless asked; related articles need it.
    response = es.search(
        index=alias,
        query={"ids": {"values": [article_id]}},
        size=1,
        source={"exclude_vectors": False},
    )
    hits = response["hits"]["hits"]
    return dict(hits[0]) if hits else None


def related_articles(
    es: Elasticsearch,
    alias: str,
    article: dict[str, Any],
    size: int,
    *,
    timeout_s: float | None = None,
) -> list[SearchHit]:
    """The other articles of its story, then articles close in meaning (kNN on the
    embedding, when there is one), then in wording.

    The story comes first: the story stage matched those on the same event, in any language
    (a Japanese report and an English one share no words and no comparable embedding).
    The article's own near-duplicates (syndicated copies) are left out: they say the same
    thing, so they would crowd out the other outlets' coverage an analyst is looking for.
    """
    found: dict[str, SearchHit] = {}
    enrichment = article["_source"].get("enrichment", {})
    embedding = enrichment.get("embedding")
    not_these: list[dict[str, Any]] = [{"ids": {"values": [article["_id"]]}}]
    if enrichment.get("duplicate_group"):
        not_these.append({"term": {"enrichment.duplicate_group": enrichment["duplicate_group"]}})
    exclude = {"bool": {"must_not": not_these}}
    near: list[SearchHit] = []
    if embedding:
        response = es.search(
            timeout=_timeout(timeout_s),
            index=alias,
            knn={
                "field": "enrichment.embedding",
                "query_vector": embedding,
                "k": size,
                "num_candidates": max(50, size * 5),
                "filter": exclude,
            },
            size=size,
            source_excludes=_NOT_IN_LISTS,
        )
        near = [hit_from_document(hit) for hit in response["hits"]["hits"]]
    if enrichment.get("story_id"):
        response = es.search(
            timeout=_timeout(timeout_s),
            index=alias,
            query={
                "bool": {
                    "filter": {"term": {"enrichment.story_id": enrichment["story_id"]}},
                    "must_not": not_these,
                }
            },
            sort=[{"published_at": {"order": "asc", "missing": "_last"}}],
            size=size,
            source_excludes=_NOT_IN_LISTS,
        )
        story = [hit_from_document(h) for h in response["hits"]["hits"]]
        # Within the story, the closest in meaning first; the rest (other languages, whose
        # embeddings are not comparable) in the order they were published.
        rank = {hit.id: position for position, hit in enumerate(near)}
        story.sort(key=lambda hit: rank.get(hit.id, len(rank)))
        found.update({hit.id: hit for hit in story})
    for hit in near:
        found.setdefault(hit.id, hit)
    response = es.search(
        timeout=_timeout(timeout_s),
        index=alias,
        query={
            "bool": {
                "must": {
                    "more_like_this": {
                        "fields": ["title", "lead", "body"],
                        "like": [{"_index": article["_index"], "_id": article["_id"]}],
                        "min_term_freq": 1,
                        "min_doc_freq": 1,
                        "max_query_terms": 40,
                        "minimum_should_match": "20%",
                    }
                },
                "must_not": not_these,
            }
        },
        size=size,
        source_excludes=_NOT_IN_LISTS,
    )
    for hit in response["hits"]["hits"]:
        found.setdefault(hit["_id"], hit_from_document(hit))
    return list(found.values())[:size]


def near_duplicates(
    es: Elasticsearch, alias: str, article: dict[str, Any], size: int
) -> list[SearchHit]:
    """Other outlets' copies of ``article`` (its near-duplicate group), earliest first."""
    group = article["_source"].get("enrichment", {}).get("duplicate_group")
    if not group:
        return []
    response = es.search(
        index=alias,
        query={
            "bool": {
                "filter": {"term": {"enrichment.duplicate_group": group}},
                "must_not": {"ids": {"values": [article["_id"]]}},
            }
        },
        sort=[{"published_at": {"order": "asc", "missing": "_last"}}],
        size=size,
        source_excludes=_NOT_IN_LISTS,
    )
    return [hit_from_document(hit) for hit in response["hits"]["hits"]]


def latest_stories(
    es: Elasticsearch, alias: str, size: int, *, timeout_s: float | None = None
) -> list[Story]:
    """Stories ordered by their latest article, newest first."""
    response = es.search(
        timeout=_timeout(timeout_s),
        index=alias,
        size=0,
        aggs={
            "stories": {
                "terms": {
                    "field": "enrichment.story_id",
                    "size": size,
                    "order": {"last": "desc"},
                },
                "aggs": {
                    "first": {"min": {"field": "published_at"}},
                    "last": {"max": {"field": "published_at"}},
                    "label": {"terms": {"field": "enrichment.story_label", "size": 1}},
                },
            }
        },
    )
    stories = []
    for bucket in response["aggregations"]["stories"]["buckets"]:
        labels = bucket["label"]["buckets"]
        stories.append(
            Story(
                id=bucket["key"],
                label=labels[0]["key"] if labels else None,
                articles=bucket["doc_count"],
                first_published=bucket["first"].get("value_as_string"),
                last_published=bucket["last"].get("value_as_string"),
            )
        )
    return stories


def story_articles(
    es: Elasticsearch, alias: str, story_id: str, size: int, *, timeout_s: float | None = None
) -> list[SearchHit]:
    """A story's articles in the order they were published."""
    response = es.search(
        timeout=_timeout(timeout_s),
        index=alias,
        query={"term": {"enrichment.story_id": story_id}},
        sort=[{"published_at": {"order": "asc", "missing": "_last"}}],
        size=size,
        source_excludes=_NOT_IN_LISTS,
    )
    return [hit_from_document(hit) for hit in response["hits"]["hits"]]


def entities_with_prefix(
    es: Elasticsearch, alias: str, prefix: str, size: int, *, timeout_s: float | None = None
) -> list[EntityCount]:
    """Canonical entity names starting with ``prefix`` (any case), most mentioned first."""
    response = es.search(
        timeout=_timeout(timeout_s),
        index=alias,
        size=0,
        aggs={
            "entities": {
                "nested": {"path": "enrichment.entities"},
                "aggs": {
                    "matching": {
                        "filter": {
                            "prefix": {
                                "enrichment.entities.name": {
                                    "value": prefix,
                                    "case_insensitive": True,
                                }
                            }
                        },
                        "aggs": {
                            "names": {
                                "terms": {"field": "enrichment.entities.name", "size": size},
                                "aggs": {
                                    "type": {
                                        "terms": {"field": "enrichment.entities.type", "size": 1}
                                    },
                                    "articles": {"reverse_nested": {}},
                                },
                            }
                        },
                    }
                },
            }
        },
    )
    buckets = response["aggregations"]["entities"]["matching"]["names"]["buckets"]
    return [
        EntityCount(
            name=b["key"],
            type=b["type"]["buckets"][0]["key"] if b["type"]["buckets"] else None,
            articles=b["articles"]["doc_count"],
        )
        for b in buckets
    ]
