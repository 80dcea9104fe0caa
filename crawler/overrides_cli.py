"""The ``overrides`` command group: try a source's extraction overrides on archived pages.

``newsloom overrides check SOURCE WARC...`` extracts every archived page of the source again
(no fetching), and shows what each override selector finds or why it finds nothing, so ops
can write or repair an ``extraction:`` block before it goes into the registry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from newsloom.console import make_console
from newsloom.errors import InvalidInputError

if TYPE_CHECKING:
    from rich.table import Table

    from crawler.extraction.fields import ExtractedFields
    from crawler.extraction.overrides import OverrideMiss
    from crawler.sources import Source

__all__ = ["overrides_app"]

overrides_app = typer.Typer(
    help="Try a source's extraction overrides on archived pages.", no_args_is_help=True
)
console = make_console()
_SHOWN_CHARS = 70


@dataclass(frozen=True)
class _Page:
    url: str
    fields: ExtractedFields
    misses: tuple[OverrideMiss, ...]


def _on_site(url: str, source: Source) -> bool:
    """Whether ``url`` is on the source's site: host and port (outlets may share a host)."""

    page, home = urlsplit(url), urlsplit(str(source.homepage))
    return (page.hostname, page.port) == (home.hostname, home.port)


def _pages(warcs: list[Path], source: Source) -> Iterator[_Page]:
    """Every archived HTML page of ``source``, extracted with its overrides."""

    # Imported here: the extractor takes seconds to load, and every ``newsloom`` command
    # imports this module to list its commands.
    from crawler.archive import read_responses
    from crawler.extraction.encoding import decode_html, header_encoding
    from crawler.extraction.fields import extract_fields
    from crawler.extraction.overrides import apply_overrides

    for warc in warcs:
        for response in read_responses(warc):
            content_type = next(
                (v for k, v in response.headers.items() if k.lower() == "content-type"), ""
            )
            if (
                response.status != HTTPStatus.OK
                or "html" not in content_type.lower()
                or not _on_site(response.url, source)
            ):
                continue
            html = decode_html(response.body, header_encoding(content_type))
            result = apply_overrides(extract_fields(html, response.url), html, source)
            yield _Page(response.url, result.fields, result.misses)


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = " ".join(str(value or "").split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _check_pages(
    source: Source, fields: dict[str, str], warcs: list[Path]
) -> tuple[Table, Counter[OverrideMiss], int]:
    """A row per archived page with each field's value or miss; the misses; the page count.

    ``fields`` maps each overridden field to the ``ExtractedFields`` attribute it sets.
    """
    from rich.markup import escape
    from rich.progress import Progress, SpinnerColumn, TextColumn
    from rich.table import Table

    table = Table(title=f"extraction overrides of {source.id}")
    for column in ("page", *fields):
        table.add_column(column)
    misses: Counter[OverrideMiss] = Counter()
    pages = 0
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as bar:
        task = bar.add_task("extracting archived pages", total=None)
        for page in _pages(warcs, source):
            pages += 1
            bar.update(task, description=f"extracted {pages} pages of {source.id}")
            missed = {miss.field: miss for miss in page.misses}
            misses.update(page.misses)
            table.add_row(
                escape(page.url),
                *(
                    f"[red]missed: {missed[field].reason}[/red]"
                    if field in missed
                    else escape(_shown(getattr(page.fields, attribute)))
                    for field, attribute in fields.items()
                ),
            )
    return table, misses, pages


@overrides_app.command("check")
def check(
    source_id: Annotated[str, typer.Argument(help="The source whose overrides to try.")],
    warcs: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="Crawl archives (WARC).")
    ],
    sources_file: Annotated[
        Path | None, typer.Option("--sources", help="Sources YAML file with the overrides.")
    ] = None,
) -> None:
    """Show what each override selector finds on every archived page of the source.

    Exits 1 when a selector finds nothing on any page: it needs fixing before it is used.
    """
    from crawler.sources import load_sources
    from newsloom.settings import get_settings

    source = load_sources(sources_file or get_settings().sources_file).by_id(source_id)
    overrides = source.extraction
    if overrides is None:
        message = (
            f"source {source_id!r} has no extraction block; add one (the header of "
            "crawler/sources/registry.yaml describes it)"
        )
        raise InvalidInputError(message)
    from crawler.extraction.overrides import FIELD_ATTRIBUTES

    fields = {
        name: attribute
        for name, attribute in FIELD_ATTRIBUTES.items()
        if getattr(overrides, name) is not None
    }
    table, misses, pages = _check_pages(source, fields, warcs)
    if not pages:
        raise InvalidInputError(f"no archived HTML page of {source_id} in these WARC files")
    console.print(table)
    for miss, count in sorted(misses.items(), key=lambda item: -item[1]):
        console.print(f"{miss.field}: {miss.reason} on {count} of {pages} pages")
    by_field: Counter[str] = Counter()
    for miss, count in misses.items():
        by_field[miss.field] += count
    broken = sorted(field for field, count in by_field.items() if count == pages)
    if broken:
        message = f"selectors of {', '.join(broken)} find nothing on any page; fix or remove them"
        raise InvalidInputError(message)
