"""The one error local services raise: what went wrong, which log to read, what to do next."""

from __future__ import annotations

from pathlib import Path

from newsloom.errors import ServiceUnavailableError

__all__ = ["ServiceError"]


class ServiceError(ServiceUnavailableError):
    """A local service could not be started, stopped or prepared.

    The message is written for the person at the terminal: the problem, the log file to
    read (and its last lines when there are any) and the next thing to try.
    """

    def __init__(
        self,
        problem: str,
        *,
        hint: str,
        log_file: Path | None = None,
        log_tail: str = "",
    ) -> None:
        self.problem = problem
        self.hint = hint
        self.log_file = log_file
        self.log_tail = log_tail
        lines = [problem]
        if log_file is not None:
            lines.append(f"Log file: {log_file}")
        if log_tail.strip():
            lines.append("Last lines of the log:")
            lines.extend(f"  {line}" for line in log_tail.rstrip().splitlines())
        lines.append(f"Next: {hint}")
        super().__init__("\n".join(lines))
