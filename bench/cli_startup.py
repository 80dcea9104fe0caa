"""Command-line start-up benchmark: ``newsloom --help`` against ``python -c pass``.

Run ``python -m bench.cli_startup``. Each command runs ``--runs`` times in a fresh
interpreter; "cold" gives every run an empty bytecode cache of its own
(``PYTHONPYCACHEPREFIX``), so every module is compiled again, as on a fresh install or the
first run after an upgrade; "warm" reuses one cache. The baseline, in the same run, is the
bare interpreter start, which no command can beat.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["main", "time_command"]

console = Console(highlight=False)
_COMMANDS = {
    "baseline: python -c pass": ["-c", "pass"],
    "newsloom --help": ["-m", "newsloom_cli", "--help"],
    "newsloom --version": ["-m", "newsloom_cli", "--version"],
}


def time_command(arguments: list[str], runs: int, cold: bool) -> float:
    """Median wall seconds of ``python ARGUMENTS`` over ``runs`` fresh interpreters."""
    seconds = []
    with tempfile.TemporaryDirectory(prefix="newsloom-pycache-") as shared_cache:
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="newsloom-pycache-") as own_cache:
                cache = own_cache if cold else shared_cache
                env = {**os.environ, "PYTHONPYCACHEPREFIX": cache, "COLUMNS": "100"}
                started = time.perf_counter()
                subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
                    [sys.executable, *arguments], env=env, check=True, capture_output=True
                )
                seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main(runs: Annotated[int, typer.Option(min=1, help="Runs per command and mode.")] = 5) -> None:
    """Print median start-up times, cold and warm, with ratios against the bare interpreter."""
    table = Table(title=f"start-up, median of {runs} runs")
    for column in ("command", "cold s", "warm s", "cold x baseline", "warm x baseline"):
        table.add_column(column, justify="left" if column == "command" else "right")
    baseline_cold = baseline_warm = 0.0
    for name, arguments in _COMMANDS.items():
        cold = time_command(arguments, runs, cold=True)
        time_command(arguments, 1, cold=False)  # fill the warm cache untimed
        warm = time_command(arguments, runs, cold=False)
        if name.startswith("baseline"):
            baseline_cold, baseline_warm = cold, warm
        table.add_row(
            name, f"{cold:.2f}", f"{warm:.2f}",
            f"{cold / baseline_cold:.1f}", f"{warm / baseline_warm:.1f}",
        )  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
