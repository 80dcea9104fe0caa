"""``newsloom websub serve|list``: the WebSub receiver and what it is subscribed to."""

from __future__ import annotations

from typing import Annotated

import typer

from newsloom.console import make_console

__all__ = ["websub_app"]

websub_app = typer.Typer(
    help="WebSub: hubs push new feed items, crawled within seconds.", no_args_is_help=True
)
console = make_console()


@websub_app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: setting).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535)] = None,
) -> None:
    """Receive hub callbacks at NEWSLOOM_WEBSUB_CALLBACK_URL, and keep subscriptions renewed."""
    import uvicorn

    from crawler.websub.receiver import create_receiver
    from newsloom.settings import get_settings

    settings = get_settings()
    uvicorn.run(
        create_receiver(settings),
        host=host or settings.websub_host,
        port=port or settings.websub_port,
        log_level="info",
    )


@websub_app.command("list")
def list_subscriptions() -> None:
    """Every feed that names a hub: its source, hub, state and lease."""
    from datetime import UTC, datetime

    from rich.table import Table

    from crawler.websub.subscriptions import SubscriptionStore
    from newsloom.settings import get_settings
    from newsloom.state import redis_client

    subscriptions = SubscriptionStore(redis_client(get_settings())).all()
    if not subscriptions:
        console.print("no feed has named a hub yet (they are found when feeds are crawled)")
        return
    table = Table(title="WebSub subscriptions")
    for column in ("source", "topic", "hub", "state", "lease until"):
        table.add_column(column)
    for sub in subscriptions:
        until = datetime.fromtimestamp(sub.lease_until, UTC).isoformat(timespec="seconds")
        table.add_row(
            sub.source_id, sub.topic, sub.hub, sub.state, until if sub.lease_until else ""
        )
    console.print(table)
