"""The article schema all stages share: crawler fills it, workers enrich it, search indexes it.

An ``Article`` travels as JSON (Celery messages, the quarantine, Elasticsearch documents), so
everything here round-trips through ``model_dump(mode="json")`` and ``Article.model_validate``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

__all__ = [
    "Article",
    "Enrichment",
    "Entity",
    "EntityType",
    "GeoPoint",
    "Keyword",
    "Place",
    "Topic",
    "article_id",
    "content_hash",
]

EntityType = Literal["person", "organization", "place", "weapon"]


def article_id(canonical_url: str) -> str:
    """Stable document id for an article: a re-crawl of the same URL maps to the same id."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def content_hash(title: str, body: str) -> str:
    """Fingerprint of what a reader sees, so an unchanged re-crawl can be told apart."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


class Entity(BaseModel):
    """A named person, organisation, place or weapon system, under its canonical name."""

    name: str = Field(description="Canonical form: every spelling and alias maps to it.")
    type: EntityType
    mentions: int = Field(default=1, ge=1)
    surface_forms: list[str] = Field(default_factory=list)


class GeoPoint(BaseModel):
    """Coordinates in the form Elasticsearch's ``geo_point`` takes."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Place(BaseModel):
    """A place the article names, resolved to a country and coordinates."""

    name: str
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    location: GeoPoint | None = None


class Topic(BaseModel):
    """A label from the topic taxonomy, with the classifier's score in [0, 1]."""

    label: str
    score: float = Field(ge=0, le=1)


class Keyword(BaseModel):
    """A key term of the article, with its weight."""

    term: str
    score: float = Field(ge=0)


class Enrichment(BaseModel):
    """What the workers add to an article; each stage records its version for replays."""

    model_config = ConfigDict(extra="forbid")

    word_count: int = 0
    entities: list[Entity] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list, description="Main countries, ISO 3166.")
    keywords: list[Keyword] = Field(default_factory=list)
    summary: str | None = None
    topics: list[Topic] = Field(default_factory=list)
    duplicate_group: str | None = Field(
        default=None, description="Shared by near-duplicates (syndicated copies of one story)."
    )
    story_id: str | None = Field(default=None, description="Shared by articles on one event.")
    story_label: str | None = None
    embedding: list[float] | None = Field(
        default=None,
        description="Unit vector of the text (workers.enrichment.embeddings, 256 dimensions).",
    )
    stage_versions: dict[str, str] = Field(default_factory=dict)
    methods: dict[str, str] = Field(
        default_factory=dict,
        description="Which method a language-dependent stage ran on this article, by stage "
        '(e.g. "entities": "model:<spaCy pipeline>+watchlist", "keywords": "words+stopwords-de").',
    )


class Article(BaseModel):
    """One news article, as extracted from one page of one source."""

    model_config = ConfigDict(extra="forbid")

    url: str
    canonical_url: str
    source_id: str
    source_name: str
    title: str
    body: str
    lead: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = Field(default_factory=list)
    image_url: str | None = None
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    enrichment: Enrichment = Field(default_factory=Enrichment)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        """Document id derived from the canonical URL."""
        return article_id(self.canonical_url)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """Hash of title and body (see :func:`content_hash`)."""
        return content_hash(self.title, self.body)

    @classmethod
    def from_document(cls, document: dict[str, object]) -> Article:
        """Rebuild an article from its JSON form, ignoring the derived fields."""
        fields = {key: value for key, value in document.items() if key in cls.model_fields}
        return cls.model_validate(fields)
