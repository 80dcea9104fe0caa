"""``newsloom kibana import``: load the analysts' data view, searches and dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsloom.console import make_console

__all__ = ["kibana_app"]

kibana_app = typer.Typer(no_args_is_help=True, help="Kibana saved objects for analysts.")
console = make_console()


@kibana_app.callback()
def kibana() -> None:
    """Kibana saved objects for analysts (kept a group, so more commands can join)."""


@kibana_app.command("import")
def import_command(
    path: Annotated[
        Path | None,
        typer.Option(help="NDJSON file of saved objects (default: the ones newsloom ships)."),
    ] = None,
    api_key: Annotated[
        str, typer.Option(envvar="NEWSLOOM_KIBANA_API_KEY", help="Kibana API key, if secured.")
    ] = "",
) -> None:
    """Import (overwrite) the saved objects into Kibana at NEWSLOOM_KIBANA_URL."""
    from newsloom.settings import get_settings
    from ops.kibana.importer import SAVED_OBJECTS, import_saved_objects

    path = path or SAVED_OBJECTS
    url = str(get_settings().kibana_url)
    with console.status(f"importing {path.name} into {url}"):
        count = import_saved_objects(url, path, api_key=api_key)
    console.print(f"imported {count} saved objects into {url}")
