"""``newsloom index rollover|reindex``: index maintenance commands, mounted under ``index``."""

from __future__ import annotations

from typing import Annotated

import typer

from newsloom.console import make_console
from newsloom.errors import NewsloomError

__all__ = ["index_admin_app"]

index_admin_app = typer.Typer(no_args_is_help=True)
console = make_console()


@index_admin_app.command("rollover")
def rollover_command(
    max_age: Annotated[
        str | None,
        typer.Option(
            help="Roll over once the write index is this old [NEWSLOOM_ROLLOVER_MAX_AGE]."
        ),
    ] = None,
    max_size: Annotated[
        str | None,
        typer.Option(
            help="Roll over once a primary shard is this large "
            "[NEWSLOOM_ROLLOVER_MAX_PRIMARY_SHARD_SIZE]."
        ),
    ] = None,
    max_docs: Annotated[int | None, typer.Option(min=1, help="Roll over at this many.")] = None,
    now: Annotated[bool, typer.Option(help="Roll over now, whatever the conditions.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Only report whether it would.")] = False,
) -> None:
    """Start a new write index when the current one is too old or too large."""
    from elasticsearch import ApiError

    from newsloom.settings import get_settings
    from search.aliases import rollover, rollover_conditions
    from search.client import create_client

    settings = get_settings()
    conditions: dict[str, str | int] = {}
    if not now:
        conditions = rollover_conditions(settings, max_age, max_size, max_docs)
    try:
        result = rollover(
            create_client(settings), settings.index_alias, conditions, dry_run=dry_run
        )
    except ApiError as error:
        raise NewsloomError(
            f"rollover refused: {error.message}; run `newsloom index init` first if the "
            "write alias is missing"
        ) from error
    met = ", ".join(name for name, held in result.conditions.items() if held) or "none"
    if result.rolled_over:
        console.print(f"rolled over {result.old_index} -> {result.new_index} (met: {met})")
    else:
        verb = "would roll over" if dry_run and met != "none" else "kept"
        console.print(f"{verb} {result.old_index} (conditions met: {met})")


@index_admin_app.command("lifecycle")
def lifecycle_command(
    policy: Annotated[str, typer.Option(help="Name of the ILM policy to create.")] = "articles",
    warm_after: Annotated[
        str, typer.Option(help="Merge and freeze an index this long after it was created.")
    ] = "30d",
) -> None:
    """Attach an ILM policy to every article index (servers with ILM, e.g. the official image)."""
    from newsloom.settings import get_settings
    from search.client import create_client
    from search.lifecycle import install_lifecycle

    settings = get_settings()
    install_lifecycle(create_client(settings), settings.index_alias, policy, warm_after)
    console.print(
        f"lifecycle policy {policy!r} attached to the indices behind {settings.index_alias!r}"
    )


@index_admin_app.command("reindex")
def reindex_command(
    keep_old: Annotated[
        bool, typer.Option(help="Keep the old indices after the swap (default: delete them).")
    ] = False,
) -> None:
    """Rebuild every article into a new index with the current templates, without downtime.

    Articles the new index refuses go to the quarantine (``newsloom quarantine list``).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from newsloom.settings import get_settings
    from newsloom.state import redis_client
    from search.client import create_client
    from search.dead_letters import quarantine_sink
    from search.reindex import ReindexError, reindex

    settings = get_settings()
    es = create_client(settings)
    with Progress(
        SpinnerColumn(), TextColumn("copying"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("copying", total=None)
        try:
            report = reindex(
                es,
                settings.index_alias,
                replicas=settings.index_replicas,
                keep_old=keep_old,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
                on_failure=quarantine_sink(redis_client(settings)),
            )
        except ReindexError as error:
            raise NewsloomError(
                f"{error} The refused articles are in the quarantine: "
                "`newsloom quarantine list` shows why each failed."
            ) from error
    copied = report.copied
    console.print(
        f"{settings.index_alias!r} now reads {report.new_index}: {copied.indexed} copied, "
        f"{copied.stale} already newer; "
        + (
            f"deleted {', '.join(report.old_indices)}"
            if report.deleted_old
            else f"kept {', '.join(report.old_indices)}"
        )
    )
