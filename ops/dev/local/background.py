"""Child processes the demo and the tests run beside the services: workers and the fixture site.

Each writes to its own log file; readiness is a line in that log, so a child that dies or
never becomes ready fails with the log named and its last lines shown.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from newsloom.errors import ServiceUnavailableError
from ops.dev.local.supervision import log_tail

__all__ = ["BackgroundProcess", "BackgroundProcessError"]


class BackgroundProcessError(ServiceUnavailableError):
    """A child process died or did not become ready in time."""


class BackgroundProcess:
    """One child process, started with its output going to ``log_path``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        ready_pattern: str,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.ready_pattern = re.compile(ready_pattern)
        self.env = {**os.environ, **(env or {})}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Process id while running."""
        return self._process.pid if self._process else None

    def ready_match(self) -> re.Match[str] | None:
        """The readiness line's match in the log, once it is there."""
        try:
            return self.ready_pattern.search(self.log_path.read_text(errors="replace"))
        except FileNotFoundError:
            return None

    def start(self, timeout_s: float = 60.0) -> re.Match[str]:
        """Start the child and wait for its readiness line; return the line's match."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - argv is built by our own code
                self.argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            match = self.ready_match()
            if match:
                return match
            if self._process.poll() is not None:
                raise BackgroundProcessError(
                    f"{self.name} exited with status {self._process.returncode}; "
                    f"read {self.log_path}:\n{log_tail(self.log_path) or '(no log written)'}"
                )
            time.sleep(0.2)
        self.stop()
        raise BackgroundProcessError(
            f"{self.name} was not ready after {timeout_s:.0f} s; read {self.log_path}:\n"
            f"{log_tail(self.log_path) or '(no log written)'}"
        )

    def stop(self, timeout_s: float = 20.0) -> None:
        """Ask the child (and its process group) to stop; kill it if it does not."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout_s)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
