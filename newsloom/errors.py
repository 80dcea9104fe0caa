"""The one exception family: every error newsloom raises on purpose derives from it.

Each boundary maps it once: the command line to a one-line message and an exit code, the API
to an HTTP status with one error shape, the task base class to retry or quarantine. Which
kind an error is decides that mapping, so a new error only has to pick its base here.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "InvalidInputError",
    "NewsloomError",
    "NotFoundError",
    "ServiceUnavailableError",
    "TransientError",
]


class NewsloomError(Exception):
    """An error newsloom raises on purpose, worded for the person who has to act on it."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500


class InvalidInputError(NewsloomError, ValueError):
    """The input is wrong (a file, an argument, a page, a cursor): fix it and try again.

    Also a ``ValueError``, which is what callers that validate input already catch.
    """

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 400


class NotFoundError(InvalidInputError):
    """The thing asked for does not exist (an article id, a quarantine entry)."""

    http_status: ClassVar[int] = 404


class ServiceUnavailableError(NewsloomError):
    """A service newsloom needs (Redis, Elasticsearch, a child process) cannot be used now."""

    exit_code: ClassVar[int] = 3
    http_status: ClassVar[int] = 503


class TransientError(ServiceUnavailableError):
    """A failure worth retrying later (a service is overloaded or briefly unreachable)."""
