"""Zero-downtime reindex: copy every article into a fresh index, then swap the aliases.

The core distribution has no ``_reindex``, so this scans on the client and bulk-writes. Order
of steps, and why:

1. create the new index from the current templates (a new mapping or analysis applies);
2. move the write alias to it, so articles indexed from now on land there;
3. copy the old indices into it; external versioning keeps a copy written in step 2 when the
   scan brings an older one;
4. swap the read alias from the old indices to the new one in a single atomic request.

Searches read the old indices until step 4 and the new one after it: they never fail and
never see a half-built index. Articles written during the copy become searchable at the swap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from newsloom.errors import NewsloomError
from search.aliases import indices_behind, write_alias, write_index
from search.bulk import BulkFailure, BulkReport, bulk_index
from search.templates import ensure_index

__all__ = ["ReindexError", "ReindexReport", "new_index_name", "reindex"]


class ReindexError(NewsloomError):
    """The copy was incomplete; the read alias was left on the old indices."""


@dataclass(frozen=True)
class ReindexReport:
    """What a reindex did."""

    old_indices: list[str]
    new_index: str
    copied: BulkReport
    deleted_old: bool


def new_index_name(alias: str, now: datetime | None = None) -> str:
    """A versioned index name that rollover can increment (it ends in ``-000001``)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    return f"{alias}-{stamp}-000001"


def _move_write_alias(es: Elasticsearch, alias: str, new: str) -> None:
    writer = write_alias(alias)
    current = indices_behind(es, writer)
    es.indices.update_aliases(
        actions=[
            *({"remove": {"index": index, "alias": writer}} for index in current),
            {"add": {"index": new, "alias": writer, "is_write_index": True}},
        ]
    )


def _swap_read_alias(es: Elasticsearch, alias: str, old: list[str], new: str) -> None:
    es.indices.update_aliases(
        actions=[
            *({"remove": {"index": index, "alias": alias}} for index in old),
            {"add": {"index": new, "alias": alias}},
        ]
    )


def reindex(
    es: Elasticsearch,
    alias: str,
    *,
    replicas: int = 0,
    keep_old: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    on_failure: Callable[[BulkFailure], None] | None = None,
) -> ReindexReport:
    """Rebuild the indices behind ``alias`` into one new index and switch searches to it.

    ``on_progress(done, total)`` is called as documents are copied. Raises
    :class:`ReindexError` (leaving searches on the old indices) if any document failed.
    """
    ensure_index(es, alias, replicas)
    old = indices_behind(es, alias)
    # A failed earlier run leaves the write alias on an index searches do not read yet:
    # copy from it too, so the articles written since then are kept.
    writing = write_index(es, alias)
    sources = sorted({*old, writing} if writing else set(old))
    total = int(es.count(index=",".join(old))["count"]) if old else 0
    new = new_index_name(alias)
    # Refreshing while bulk loading only slows the copy; nobody reads the new index yet.
    es.indices.create(index=new, settings={"index": {"refresh_interval": "-1"}})
    _move_write_alias(es, alias, new)
    copied = bulk_index(
        es,
        new,
        (hit["_source"] for hit in scan(es, index=sources, query={"query": {"match_all": {}}})),
        on_failure=on_failure,
        on_progress=(lambda report: on_progress(report.total, total)) if on_progress else None,
    )
    es.indices.put_settings(index=new, settings={"index": {"refresh_interval": None}})
    es.indices.refresh(index=new)
    if copied.failed:
        raise ReindexError(
            f"{copied.failed} of {copied.total} documents could not be copied into {new} "
            f"(first: {copied.failures[0].reason}); searches still read {', '.join(old)} and "
            f"new articles go to {new}. Fix the cause and run the reindex again: it copies "
            f"from both."
        )
    _swap_read_alias(es, alias, old, new)
    retired = [index for index in sources if index != new]
    if not keep_old and retired:
        es.indices.delete(index=retired)
    return ReindexReport(
        old_indices=retired, new_index=new, copied=copied, deleted_old=not keep_old
    )
