"""``python -m ops.dev.fixture_site --port-base 0 --sources-out FILE``: run the fixture site."""

import typer

from ops.dev.fixture_site.cli import serve

# One command, no subcommand name: the launchers call this module directly.
entry = typer.Typer(add_completion=False)
entry.command()(serve)

if __name__ == "__main__":
    entry(prog_name="python -m ops.dev.fixture_site")
