"""``newsloom quarantine`` (list, inspect, replay and purge failed task messages) and
``newsloom reenrich`` (enrich stored articles again after a stage changed)."""

from __future__ import annotations

from typing import Annotated

import typer

from newsloom.console import make_console
from newsloom.errors import InvalidInputError, NotFoundError

__all__ = ["quarantine_app", "reenrich_app"]

quarantine_app = typer.Typer(
    help="Failed task messages (dead letters) kept in Redis with their reason.",
    no_args_is_help=True,
)
reenrich_app = typer.Typer(
    help="Re-run enrichment over stored articles (after a stage or gazetteer change)."
)
console = make_console()


@quarantine_app.command("list")
def list_entries(
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 50,
) -> None:
    """List quarantined messages, oldest first, with the reason each failed."""
    from rich.table import Table

    from newsloom import quarantine
    from newsloom.settings import get_settings
    from newsloom.state import redis_client

    client = redis_client(get_settings())
    table = Table(title=f"{quarantine.count(client)} quarantined message(s)", expand=True)
    for column in ("id", "task", "article", "failed at", "reason"):
        table.add_column(column, overflow="fold")
    for entry in quarantine.entries(client, limit):
        table.add_row(
            entry.id,
            entry.task,
            entry.article_id or "-",
            entry.failed_at.isoformat(timespec="seconds"),
            entry.reason,
        )
    console.print(table)


@quarantine_app.command("show")
def show(entry_id: Annotated[str, typer.Argument(help="Id from `quarantine list`.")]) -> None:
    """Print one quarantined message in full (arguments included)."""
    from newsloom import quarantine
    from newsloom.settings import get_settings
    from newsloom.state import redis_client

    entry = quarantine.get(redis_client(get_settings()), entry_id)
    if entry is None:
        raise NotFoundError(f"no entry {entry_id!r}; run `newsloom quarantine list`")
    console.print_json(quarantine.describe(entry))


@quarantine_app.command("replay")
def replay(
    entry_ids: Annotated[
        list[str] | None, typer.Argument(help="Ids to replay (default: with --all, every one).")
    ] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every entry.")] = False,
) -> None:
    """Re-queue quarantined messages with their original arguments (fix the cause first)."""
    from rich.progress import track

    from newsloom import quarantine
    from newsloom.messaging import task_sender
    from newsloom.settings import get_settings
    from newsloom.state import redis_client

    settings = get_settings()
    client = redis_client(settings)
    if replay_all:
        entry_ids = [entry.id for entry in quarantine.entries(client)]
    if not entry_ids:
        raise InvalidInputError("name entry ids or pass --all")
    celery = task_sender(settings)
    missing, unreadable = [], []
    for entry_id in track(entry_ids, description="replaying", console=console):
        try:
            new_id = quarantine.replay(client, celery, entry_id)
        except quarantine.NotReplayableError as error:
            unreadable.append(entry_id)
            console.print(str(error))
            continue
        if new_id is None:
            missing.append(entry_id)
        else:
            console.print(f"replayed {entry_id} as {new_id}")
    if missing:
        raise NotFoundError(f"not in the quarantine: {', '.join(missing)}")
    if unreadable and not replay_all:
        raise InvalidInputError(f"unreadable, not replayed: {', '.join(unreadable)}")


@quarantine_app.command("purge")
def purge(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every quarantined message (they cannot be replayed afterwards)."""
    from newsloom import quarantine
    from newsloom.settings import get_settings
    from newsloom.state import redis_client

    client = redis_client(get_settings())
    if not yes and not typer.confirm(f"delete {quarantine.count(client)} message(s)?"):
        raise typer.Exit(code=1)
    console.print(f"purged {quarantine.purge(client)} message(s)")


@reenrich_app.callback(invoke_without_command=True)
def reenrich(
    everything: Annotated[
        bool, typer.Option("--all", help="Every stored article, not only stale ones.")
    ] = False,
) -> None:
    """Queue stored articles enriched by other stage versions for enrichment again.

    Each stage records its version on the article; after a change (a gazetteer edit, a new
    model) this finds the articles an older pipeline produced and sends them through the
    workers again, which re-index them in place.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from newsloom.messaging import task_sender
    from newsloom.settings import get_settings
    from search.client import create_client
    from workers.reenrich import queue_reenrichment

    settings = get_settings()
    es = create_client(settings)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as progress:
        task = progress.add_task("finding stale articles", total=None)
        queued = queue_reenrichment(
            es,
            settings.index_alias,
            task_sender(settings),
            everything=everything,
            on_queued=lambda n: progress.update(task, description=f"queued {n} article(s)"),
        )
    console.print(
        f"queued {queued} article(s) for re-enrichment; a running `newsloom worker` "
        "re-indexes them in place"
    )
