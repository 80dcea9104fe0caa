"""Up, down and status over all local services; every call is safe to repeat."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.console import Console
from rich.table import Table

from newsloom.settings import Settings
from ops.dev.local.elasticsearch_server import (
    elasticsearch_status,
    start_elasticsearch,
    stop_elasticsearch,
)
from ops.dev.local.errors import ServiceError
from ops.dev.local.names import ServiceName
from ops.dev.local.redis_server import redis_status, start_redis, stop_redis
from ops.dev.local.supervision import ServiceStatus

__all__ = [
    "ServiceError",
    "ServiceName",
    "ServiceStatus",
    "down",
    "status",
    "status_table",
    "up",
]


Only = ServiceName | Iterable[ServiceName] | None
_Action = Callable[[Settings, Console], ServiceStatus]

_START: dict[ServiceName, _Action] = {
    ServiceName.REDIS: start_redis,
    ServiceName.ELASTICSEARCH: start_elasticsearch,
}
_STOP: dict[ServiceName, _Action] = {
    ServiceName.REDIS: stop_redis,
    ServiceName.ELASTICSEARCH: stop_elasticsearch,
}
_STATUS: dict[ServiceName, Callable[[Settings], ServiceStatus]] = {
    ServiceName.REDIS: redis_status,
    ServiceName.ELASTICSEARCH: elasticsearch_status,
}


def _selected(only: Only) -> list[ServiceName]:
    if only is None:
        return list(ServiceName)
    wanted = {only} if isinstance(only, ServiceName) else set(only)
    return [name for name in ServiceName if name in wanted]


def _console(console: Console | None) -> Console:
    # Progress goes to stderr so stdout stays clean for tables and scripts.
    return console if console is not None else Console(stderr=True, highlight=False, soft_wrap=True)


def up(
    settings: Settings, only: Only = None, console: Console | None = None
) -> list[ServiceStatus]:
    """Start the selected services (all by default) that are not already running and healthy.

    Returns their status once each is ready. Raises ServiceError on the first service that
    cannot be started; the ones started before it keep running.
    """
    out = _console(console)
    return [_START[name](settings, out) for name in _selected(only)]


def down(
    settings: Settings, only: Only = None, console: Console | None = None
) -> list[ServiceStatus]:
    """Stop the selected services (all by default); services not running are skipped.

    Every selected service is attempted; the first ServiceError is raised afterwards.
    """
    out = _console(console)
    statuses: list[ServiceStatus] = []
    first_error: ServiceError | None = None
    # Reverse start order: stop what depends on others first.
    for name in reversed(_selected(only)):
        try:
            statuses.append(_STOP[name](settings, out))
        except ServiceError as error:
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    return list(reversed(statuses))


def status(settings: Settings, only: Only = None) -> list[ServiceStatus]:
    """The current status of the selected services (all by default); changes nothing."""
    return [_STATUS[name](settings) for name in _selected(only)]


def status_table(statuses: Iterable[ServiceStatus]) -> Table:
    """A table of service, pid, address, healthy and detail."""
    table = Table(title="newsloom local services")
    table.add_column("service", style="bold")
    table.add_column("pid", justify="right")
    table.add_column("address")
    table.add_column("healthy")
    table.add_column("detail")
    for row in statuses:
        healthy = "[green]yes[/]" if row.healthy else "[red]no[/]"
        pid = str(row.pid) if row.pid is not None else "-"
        table.add_row(row.name, pid, row.address, healthy, row.detail)
    return table
