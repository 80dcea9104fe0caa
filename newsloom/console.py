"""The console every command prints to."""

from __future__ import annotations

from rich.console import Console

__all__ = ["make_console"]


def make_console() -> Console:
    """The console every command prints to."""
    return Console(highlight=False)
