"""The read alias and the write alias in front of the versioned article indices.

Searches read ``<alias>`` (every index holding articles); writers go through
``<alias>-write``, which names exactly one write index. Rollover starts a new write index
and adds it to the read alias in the same request, so no article is ever unsearchable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from newsloom.settings import Settings

__all__ = [
    "RolloverResult",
    "indices_behind",
    "rollover",
    "rollover_conditions",
    "write_alias",
    "write_index",
]


def write_alias(alias: str) -> str:
    """Name of the alias writers use for the read alias ``alias``."""
    return f"{alias}-write"


def indices_behind(es: Elasticsearch, alias: str) -> list[str]:
    """Indices an alias points to, sorted by name (oldest generation first)."""
    if not es.indices.exists_alias(name=alias):
        return []
    return sorted(es.indices.get_alias(name=alias).body)


def write_index(es: Elasticsearch, alias: str) -> str | None:
    """The index new articles go to, or None before ``ensure_index`` has run."""
    name = write_alias(alias)
    if not es.indices.exists_alias(name=name):
        return None
    entries: dict[str, Any] = es.indices.get_alias(name=name).body
    flagged = [
        index for index, entry in entries.items() if entry["aliases"][name].get("is_write_index")
    ]
    return (flagged or sorted(entries))[-1]


@dataclass(frozen=True)
class RolloverResult:
    """What a rollover request did."""

    rolled_over: bool
    old_index: str
    new_index: str
    conditions: dict[str, bool]


def rollover_conditions(
    settings: Settings,
    max_age: str | None = None,
    max_size: str | None = None,
    max_docs: int | None = None,
) -> dict[str, str | int]:
    """Rollover conditions: the arguments given, the settings' limits for the others."""
    conditions: dict[str, str | int] = {
        "max_age": max_age or settings.rollover_max_age,
        "max_primary_shard_size": max_size or settings.rollover_max_primary_shard_size,
    }
    if max_docs:
        conditions["max_docs"] = max_docs
    return conditions


def rollover(
    es: Elasticsearch, alias: str, conditions: Mapping[str, Any], *, dry_run: bool = False
) -> RolloverResult:
    """Start a new write index if any of ``conditions`` holds (``max_age``, ``max_size``...).

    Elasticsearch checks the conditions and switches the write alias atomically, so two
    processes asking at once produce one new index. Empty ``conditions`` rolls over now.
    """
    response = es.indices.rollover(
        alias=write_alias(alias),
        conditions=dict(conditions) or None,
        aliases={alias: {}},
        dry_run=dry_run,
    )
    return RolloverResult(
        rolled_over=bool(response["rolled_over"]),
        old_index=response["old_index"],
        new_index=response["new_index"],
        conditions=dict(response.get("conditions", {})),
    )
