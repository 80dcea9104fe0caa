"""Serving the search API with uvicorn: ``newsloom api`` (or ``python -m search.api``)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from newsloom.settings import Settings, get_settings
from search.api.app import create_app
from search.api.dependencies import MissingApiKeyError

__all__ = ["api_app", "serve"]

api_app = typer.Typer()


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the API until interrupted; OpenAPI is published at ``/openapi.json``.

    Raises :class:`MissingApiKeyError` when no key is set and open access is not allowed.
    """
    uvicorn.run(
        create_app(settings),
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="info",
    )


@api_app.command("api")
def api_command(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: setting).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535)] = None,
) -> None:
    """Serve the search API; callers send NEWSLOOM_API_KEY's value as X-API-Key."""
    try:
        serve(get_settings(), host, port)
    except MissingApiKeyError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
