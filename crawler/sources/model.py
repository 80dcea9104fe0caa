"""Source registry model and loader; a bad file fails with the file, source and field named."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import parsel
import yaml
from cssselect import SelectorError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

from newsloom.errors import InvalidInputError

__all__ = [
    "XPATH_PREFIX",
    "ExtractionOverrides",
    "PageSelector",
    "SectionPage",
    "Source",
    "SourceRegistry",
    "SourcesError",
    "load_sources",
    "selector_xpath",
]

XPATH_PREFIX = "xpath:"


class SourcesError(InvalidInputError):
    """The sources file is missing or invalid."""


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a valid regular expression: {error}") from error
    return value


class SectionPage(BaseModel):
    """A listing page whose links lead to articles (and, within a depth, to more listings)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: HttpUrl
    article_pattern: str = Field(description="Regex a linked URL matches to be an article.")
    follow_pattern: str | None = Field(
        default=None, description="Regex of linked listing pages to follow (sections, pages)."
    )
    max_depth: int = Field(default=1, ge=0, le=5, description="Listing hops from ``url``.")

    _check_patterns = field_validator("article_pattern", "follow_pattern")(_regex)


class Politeness(BaseModel):
    """Per-source limits that tighten the crawler's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(default=4, ge=1, le=16, description="Parallel requests at most.")
    delay_s: float = Field(default=0.0, ge=0, le=60, description="Pause between requests.")
    timeout_s: float = Field(default=30.0, gt=0, le=120, description="Give up a download after.")


def selector_xpath(selector: str) -> str:
    """The XPath of a registry selector: CSS by default, XPath after an ``xpath:`` prefix.

    CSS is parsel's dialect, so ``::text`` and ``::attr(name)`` pick text or an attribute.
    """
    if selector.startswith(XPATH_PREFIX):
        return selector.removeprefix(XPATH_PREFIX).strip()
    return parsel.css2xpath(selector)


def _selector(value: str) -> str:
    value = value.strip()
    kind = "XPath" if value.startswith(XPATH_PREFIX) else "CSS selector"
    if not value.removeprefix(XPATH_PREFIX).strip():
        raise ValueError(f"empty {kind}")
    try:
        # Evaluated once on an empty page: syntax errors and unknown functions fail the load,
        # not the first crawl that reaches this outlet.
        parsel.Selector(text="<html></html>").xpath(selector_xpath(value))
    except (SelectorError, ValueError) as error:
        raise ValueError(
            f"not a valid {kind} ({error}); selectors are CSS unless prefixed {XPATH_PREFIX!r}"
        ) from error
    return value


PageSelector = Annotated[str, AfterValidator(_selector)]
"""A CSS selector (parsel's, with ``::text`` and ``::attr(name)``) or ``xpath:`` + XPath."""


def _timezone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Asia/Seoul"
            ) from error
    return value


class ExtractionOverrides(BaseModel):
    """Selectors that fix one outlet whose layout defeats the general extractor.

    A field's selector wins when it finds text; when it finds nothing the general value stays
    and the miss is counted, because an override that stops matching means the outlet changed
    its layout. ``title``, ``section``, ``published`` and ``modified`` take the first match
    with text; ``authors`` takes one name per match; ``lead`` and ``body`` every match, as
    paragraphs.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: PageSelector | None = None
    body: PageSelector | None = None
    authors: PageSelector | None = None
    published: PageSelector | None = None
    modified: PageSelector | None = None
    lead: PageSelector | None = None
    section: PageSelector | None = None
    drop: tuple[PageSelector, ...] = Field(
        default=(), description="Elements removed from the body before its text is taken."
    )
    title_suffix: str | None = Field(
        default=None, description="Regex removed from the end of the title (a site name)."
    )
    timezone: str | None = Field(
        default=None, description="IANA zone of dates the page shows without an offset."
    )

    _check_suffix = field_validator("title_suffix")(_regex)
    _check_timezone = field_validator("timezone")(_timezone)

    @model_validator(mode="after")
    def _drop_needs_body(self) -> Self:
        if self.drop and self.body is None:
            raise ValueError("drop only cleans an overridden body; add a body selector")
        return self


class Source(BaseModel):
    """One outlet and where its articles are announced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    homepage: HttpUrl
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    region: str | None = None
    owner: str | None = None
    languages: list[str] = Field(default_factory=list)
    feeds: list[HttpUrl] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    sections: list[SectionPage] = Field(default_factory=list)
    crawl_interval_s: int | None = Field(default=None, gt=0)
    poll_floor_s: int | None = Field(
        default=None,
        ge=30,
        description="Shortest re-read interval of its feeds (30 for a wire service); "
        "default NEWSLOOM_FEED_POLL_FLOOR_S.",
    )
    politeness: Politeness = Field(default_factory=Politeness)
    allow_private_network: bool = Field(
        default=False,
        description="Let the crawler reach loopback/private addresses: test fixtures only.",
    )
    extraction: ExtractionOverrides | None = Field(
        default=None, description="Selectors that win over the general extractor's fields."
    )

    @property
    def discovers_nothing(self) -> bool:
        """No feed, sitemap or section listed: feeds and sitemaps are auto-discovered."""
        return not (self.feeds or self.sitemaps or self.sections)

    @property
    def allowed_domains(self) -> list[str]:
        """Host names the crawler may follow links to for this source."""
        return [host for host in {self.homepage.host} if host]


class SourceRegistry(BaseModel):
    """All sources of one file, unique by id."""

    model_config = ConfigDict(extra="forbid")

    sources: list[Source]

    def by_id(self, source_id: str) -> Source:
        """Return the source with this id, or raise a ``SourcesError`` listing the known ids."""
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(source.id for source in self.sources)
        raise SourcesError(f"unknown source {source_id!r}; known sources: {known}")


def _describe(error: ValidationError, raw: object) -> str:
    lines = []
    for problem in error.errors():
        location = list(problem["loc"])
        where = ".".join(str(part) for part in location)
        if len(location) >= 2 and location[0] == "sources" and isinstance(raw, dict):
            entries = raw.get("sources") or []
            index = location[1]
            if isinstance(index, int) and index < len(entries) and isinstance(entries[index], dict):
                where = f"source {entries[index].get('id', index)!r}, field " + ".".join(
                    str(part) for part in location[2:]
                )
        lines.append(f"  {where}: {problem['msg']}")
    return "\n".join(lines)


def load_sources(path: Path) -> SourceRegistry:
    """Load and validate a sources YAML file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SourcesError(f"{path}: no such sources file") from error
    except yaml.YAMLError as error:
        raise SourcesError(f"{path}: not valid YAML: {error}") from error
    try:
        registry = SourceRegistry.model_validate(raw)
    except ValidationError as error:
        raise SourcesError(f"{path}: invalid sources file\n{_describe(error, raw)}") from error
    ids = [source.id for source in registry.sources]
    duplicates = sorted({source_id for source_id in ids if ids.count(source_id) > 1})
    if duplicates:
        raise SourcesError(f"{path}: duplicate source ids: {', '.join(duplicates)}")
    return registry
