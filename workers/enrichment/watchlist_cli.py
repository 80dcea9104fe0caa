"""``newsloom entities check FILE``: validate an edited watch list before it is deployed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from newsloom.console import make_console

__all__ = ["entities_app"]

entities_app = typer.Typer(no_args_is_help=True)
console = make_console()


@entities_app.callback()
def entities() -> None:
    """The entities watch list (canonical names and aliases analysts edit)."""


@entities_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The watch list YAML file to validate.")],
) -> None:
    """Validate a watch list: every entry and field, and that no alias names two entries."""
    from workers.enrichment.gazetteer import Gazetteer

    gazetteer = Gazetteer.from_file(file)  # a WatchListError names the file, entry and field
    counts = Counter(entry.type for entry in gazetteer.by_name.values())
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    console.print(
        f"{file}: valid, {len(gazetteer.by_name)} entries ({summary}); {gazetteer.version}"
    )
