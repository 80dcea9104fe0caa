"""Rendering of CLI output: progress displays and search results."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table
from rich.text import Text

from search.query import SearchHit

__all__ = ["hits_table", "make_console"]

_HIGHLIGHT = re.compile(r"<em>(.*?)</em>")


def make_console() -> Console:
    """The console every command prints to."""
    return Console(highlight=False)


def _snippet_text(snippet: str) -> Text:
    text = Text()
    position = 0
    for match in _HIGHLIGHT.finditer(snippet):
        text.append(snippet[position : match.start()])
        text.append(match.group(1), style="bold yellow")
        position = match.end()
    text.append(snippet[position:])
    return text


def hits_table(query: str, hits: list[SearchHit]) -> Table:
    """A table of ranked hits with source, date and the highlighted snippet."""
    table = Table(title=f"{len(hits)} result(s) for {query!r}", show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("article", ratio=2)
    table.add_column("source / date", ratio=1)
    table.add_column("snippet", ratio=3)
    for rank, hit in enumerate(hits, start=1):
        date = hit.published_at.date().isoformat() if hit.published_at else "undated"
        title = Text(hit.title, style="bold")
        title.append(f"\n{hit.url}", style="dim")
        table.add_row(str(rank), title, f"{hit.source_name}\n{date}", _snippet_text(hit.snippet))
    return table
