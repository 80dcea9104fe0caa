"""The ``fixtures`` command group: ``newsloom fixtures serve`` runs the fixture news site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["READY_PREFIX", "fixtures_app", "serve"]

READY_PREFIX = "fixture site ready: "

fixtures_app = typer.Typer(
    help="The fixture news site: real HTTP on loopback for tests and the demo crawl.",
    no_args_is_help=True,
)


def _announce_ready(sources_file: Path) -> None:
    # A parent process waits for exactly this line; flush so it is not stuck in a buffer.
    print(f"{READY_PREFIX}{sources_file}", flush=True)


@fixtures_app.command("serve")
def serve(
    sources_out: Annotated[
        Path,
        typer.Option(help="Where to write the sources YAML describing the outlets' bound URLs."),
    ],
    port_base: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="First port, one per outlet from here; 0 lets the OS choose free ports.",
        ),
    ] = 0,
    host: Annotated[str, typer.Option(help="Loopback address to listen on.")] = "127.0.0.1",
    shared_dir: Annotated[
        Path | None,
        typer.Option(help="Seeds and corpus to serve (default: the NEWSLOOM_SHARED_DIR setting)."),
    ] = None,
) -> None:
    """Serve the fixture outlets until stopped (SIGTERM or Ctrl-C); print a ready line."""
    from newsloom.settings import get_settings
    from ops.dev.fixture_site.server import run

    try:
        run(
            sources_out.resolve(),
            shared_dir=shared_dir or get_settings().shared_dir,
            host=host,
            port_base=port_base,
            on_ready=_announce_ready,
        )
    except (OSError, ValueError) as error:
        typer.echo(f"fixture site: {error}", err=True)
        raise typer.Exit(1) from error
