"""Serving the search API with uvicorn: ``newsloom api`` (or ``python -m search.api``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from newsloom.settings import Settings

__all__ = ["api_app", "serve"]

api_app = typer.Typer()


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the API until interrupted; OpenAPI is published at ``/openapi.json``.

    Raises :class:`~search.api.dependencies.MissingApiKeyError` when no key is set and open
    access is not allowed.
    """
    import uvicorn

    from search.api.app import create_app

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
    from newsloom.settings import get_settings

    serve(get_settings(), host, port)
