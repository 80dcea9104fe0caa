"""The command search adds to ``newsloom``: ``api`` (serve the API).

Mounted with one ``add_typer`` in ``newsloom_cli.main``, so search owns its command surface.
"""

from __future__ import annotations

import typer

from search.api.server import api_command

__all__ = ["search_commands"]

search_commands = typer.Typer()
search_commands.command("api")(api_command)
