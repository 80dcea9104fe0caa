"""The console every command prints to, and how a command reports an error on it."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["command_error", "make_console"]


def make_console() -> Console:
    """The console every command prints to."""
    return Console(highlight=False)


def command_error(console: Console, message: object) -> typer.Exit:
    """Print ``message`` as a command's error and return the exit to raise.

    Escaped, because messages quote servers and URLs whose brackets rich would read as markup.
    """
    console.print(f"[red]error:[/red] {escape(str(message))}")
    return typer.Exit(code=1)
