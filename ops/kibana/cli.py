"""``newsloom kibana import``: load the analysts' data view, searches and dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsloom.console import command_error, make_console
from newsloom.settings import get_settings
from ops.kibana.importer import SAVED_OBJECTS, KibanaImportError, import_saved_objects

__all__ = ["kibana_app"]

kibana_app = typer.Typer(no_args_is_help=True, help="Kibana saved objects for analysts.")
console = make_console()


@kibana_app.callback()
def kibana() -> None:
    """Kibana saved objects for analysts (kept a group, so more commands can join)."""


@kibana_app.command("import")
def import_command(
    path: Annotated[Path, typer.Option(help="NDJSON file of saved objects.")] = SAVED_OBJECTS,
    api_key: Annotated[
        str, typer.Option(envvar="NEWSLOOM_KIBANA_API_KEY", help="Kibana API key, if secured.")
    ] = "",
) -> None:
    """Import (overwrite) the saved objects into Kibana at NEWSLOOM_KIBANA_URL."""
    url = str(get_settings().kibana_url)
    try:
        with console.status(f"importing {path.name} into {url}"):
            count = import_saved_objects(url, path, api_key=api_key)
    except KibanaImportError as error:
        raise command_error(console, error) from error
    console.print(f"imported {count} saved objects into {url}")
