"""The command line's one error boundary: every failure becomes one line and an exit code.

Commands raise; they do not print errors themselves. Here the exception family
(``newsloom.errors``) and the clients' connection errors are mapped once to a message that
names the service, the setting to change and the next command, with exit codes a script can
tell apart: 2 for bad input, 3 for a service that is unavailable, 1 for anything else.
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from typing import Final
from urllib.parse import urlsplit, urlunsplit

import typer

from newsloom.errors import InvalidInputError, NewsloomError, ServiceUnavailableError

__all__ = ["DEBUG_FLAG", "describe_failure", "run_cli", "version_callback"]

DEBUG_FLAG: Final = "--debug"
_STATUS_HINT: Final = "check it is running (`newsloom services status`)"


def version_callback(value: bool) -> None:
    """Print the installed version and exit (the ``--version`` option)."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version  # costs --help 0.1 s

    try:
        installed = version("newsloom")
    except PackageNotFoundError:
        installed = "unknown (not installed as a package)"
    typer.echo(f"newsloom {installed}")
    raise typer.Exit


def _redacted(url: str) -> str:
    """``url`` without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _service_unreachable(service: str, url: str, variable: str, error: BaseException) -> str:
    return (
        f"{service} at {_redacted(url)} is unreachable ({type(error).__name__}: {error}); "
        f"{_STATUS_HINT}, or point {variable} at the right server"
    )


def describe_failure(error: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for a command that raised ``error``."""
    # The client libraries are imported only here, on failure: `--help` must not pay for them.
    import elastic_transport
    import kombu.exceptions
    import pydantic
    import redis

    from newsloom.settings import get_settings

    if isinstance(error, NewsloomError):
        return error.exit_code, str(error)
    if isinstance(error, pydantic.ValidationError):
        fields = ", ".join(
            "NEWSLOOM_" + "_".join(str(part) for part in item["loc"]).upper() + f": {item['msg']}"
            for item in error.errors()
        )
        return InvalidInputError.exit_code, f"invalid settings: {fields}"
    unavailable = ServiceUnavailableError.exit_code
    settings = get_settings()
    if isinstance(error, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        url = str(settings.redis_url)
        return unavailable, _service_unreachable("Redis", url, "NEWSLOOM_REDIS_URL", error)
    if isinstance(error, kombu.exceptions.OperationalError):
        url = str(settings.redis_url)
        return unavailable, _service_unreachable("The broker", url, "NEWSLOOM_REDIS_URL", error)
    if isinstance(error, elastic_transport.TransportError):
        url = str(settings.elasticsearch_url)
        variable = "NEWSLOOM_ELASTICSEARCH_URL"
        return unavailable, _service_unreachable("Elasticsearch", url, variable, error)
    if isinstance(error, ValueError):
        return InvalidInputError.exit_code, str(error)
    return 1, (
        f"unexpected {type(error).__name__}: {error}; run the command again with {DEBUG_FLAG} "
        "for the traceback, and report it with that output"
    )


def run_cli(app: typer.Typer) -> None:
    """Run ``app`` on this process's arguments; map any failure to one line on stderr."""
    # Read before parsing: the failure may come from parsing the settings the callback needs.
    debug = DEBUG_FLAG in sys.argv[1:]
    try:
        app()
    except Exception as error:
        if debug:
            raise
        code, message = describe_failure(error)
        typer.echo(f"error: {message}", err=True)
        sys.exit(code)
