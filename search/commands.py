"""The commands search adds to ``newsloom``: ``api`` (serve the API) and ``kibana import``.

Mounted with one ``add_typer`` in ``newsloom_cli.main``, so search owns its command surface.
"""

from __future__ import annotations

import typer

from ops.kibana.cli import kibana_app
from search.api.server import api_command

__all__ = ["search_commands"]

search_commands = typer.Typer()
search_commands.command("api")(api_command)
search_commands.add_typer(kibana_app, name="kibana")
