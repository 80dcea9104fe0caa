"""``newsloom services up|down|status [--only redis|elasticsearch]``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ops.dev.local.errors import ServiceError
from ops.dev.local.names import ServiceName

if TYPE_CHECKING:
    from newsloom.settings import Settings

__all__ = ["services_app"]

services_app = typer.Typer(
    help="Start, stop and inspect local Redis and Elasticsearch (each call is safe to repeat).",
    no_args_is_help=True,
)

OnlyOption = Annotated[
    ServiceName | None,
    typer.Option("--only", help="Act on this service alone.", case_sensitive=False),
]


def _settings(context: typer.Context) -> Settings:
    from newsloom.settings import Settings, get_settings

    # A parent command (or a test) may hand over its own settings through the context.
    found = context.find_object(Settings)
    return found if found is not None else get_settings()


def _run(action: Callable[[Console], object]) -> None:
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        action(errors)
    except ServiceError as error:
        errors.print(str(error), style="red", markup=False)
        raise typer.Exit(code=1) from error


@services_app.command()
def up(context: typer.Context, only: OnlyOption = None) -> None:
    """Start the services that are not running yet and wait until they are healthy."""
    from ops.dev.local import services

    settings = _settings(context)
    _run(lambda console: services.up(settings, only, console))


@services_app.command()
def down(context: typer.Context, only: OnlyOption = None) -> None:
    """Stop the services; those not running are skipped."""
    from ops.dev.local import services

    settings = _settings(context)
    _run(lambda console: services.down(settings, only, console))


@services_app.command()
def status(context: typer.Context, only: OnlyOption = None) -> None:
    """Print a table of the services: pid, address and health."""
    from ops.dev.local import services

    settings = _settings(context)
    table = services.status_table(services.status(settings, only))
    Console().print(table)
