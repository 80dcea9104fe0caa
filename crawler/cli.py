"""The ``crawler`` command group: shared crawl jobs that several processes or hosts work on.

``newsloom crawler run --job NAME`` starts or joins the job ``NAME``: run it on as many
hosts as you like and they split its URLs through Redis; run it again after a crash and it
finishes what the dead crawler left. ``newsloom crawler status NAME`` shows the job's URLs
by state.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from newsloom.console import make_console

if TYPE_CHECKING:
    from crawler.run import CrawlReport

__all__ = ["SourceIds", "SourcesFile", "crawl_with_progress", "crawler_app"]

# The command-line parameters every crawl command takes, declared once.
SourceIds = Annotated[list[str] | None, typer.Argument(help="Sources to crawl (default: all).")]
SourcesFile = Annotated[Path | None, typer.Option("--sources", help="Sources YAML file.")]

crawler_app = typer.Typer(
    help="Shared crawl jobs: several crawler processes split one job through Redis.",
    no_args_is_help=True,
)
console = make_console()


def crawl_with_progress(
    label: str, source_ids: list[str] | None, sources_file: Path | None, **options: Any
) -> CrawlReport:
    """Crawl the named sources (all by default) with a live progress line; exit 1 on a bad id.

    ``options`` go to :func:`crawler.run.run_crawl` (job, lease_s, incremental, due_only).
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from crawler.run import run_crawl  # imports Scrapy's reactor: only when crawling
    from crawler.sources import load_sources
    from newsloom.settings import get_settings

    settings = get_settings()
    registry = load_sources(sources_file or settings.sources_file)
    sources = [registry.by_id(i) for i in source_ids] if source_ids else registry.sources
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as progress:
        task = progress.add_task(label, total=None)

        def show(report: CrawlReport) -> None:
            progress.update(
                task,
                description=f"{label}: {report.pages} pages, {len(report.article_ids)} articles",
            )

        return run_crawl(settings, sources, on_progress=show, **options)


@crawler_app.command("run")
def run_job(
    job: Annotated[str, typer.Option(help="Job name; crawlers naming the same job share it.")],
    source_ids: SourceIds = None,
    sources_file: SourcesFile = None,
    lease_s: Annotated[
        float,
        typer.Option(min=1, help="Seconds a crawler holds a URL before others may take it."),
    ] = 300.0,
    incremental: Annotated[
        bool,
        typer.Option(
            help="Conditional GETs for feeds and sitemaps; send only new or changed articles."
        ),
    ] = False,
    due_only: Annotated[
        bool, typer.Option(help="Read only feeds whose adaptive re-poll interval has passed.")
    ] = False,
) -> None:
    """Start or join a crawl job and work on it until the whole job is finished."""
    report = crawl_with_progress(
        f"job {job}",
        source_ids,
        sources_file,
        job=job,
        lease_s=lease_s,
        incremental=incremental,
        due_only=due_only,
    )
    console.print(
        f"job {job} finished: this crawler fetched {report.pages} pages and queued "
        f"{len(set(report.article_ids))} articles; `newsloom crawler status {job}` for the rest"
    )


@crawler_app.command("status")
def status(job: Annotated[str, typer.Argument(help="Job name.")]) -> None:
    """How many URLs of a job are discovered, leased, done or failed, and why they failed."""
    from rich.table import Table

    from crawler.frontier import CrawlState
    from newsloom.settings import get_settings
    from newsloom.state import redis_client

    state = CrawlState(redis_client(get_settings()), job, lease_s=0)
    entries = state.entries()
    if not entries:
        console.print(f"no crawl job {job!r} in Redis (never started, or expired)")
        raise typer.Exit(1)
    table = Table(title=f"crawl job {job}")
    table.add_column("state")
    table.add_column("URLs", justify="right")
    for name, count in sorted(state.counts().items()):
        table.add_row(name, str(count))
    console.print(table)
    reasons: dict[str, int] = {}
    for entry in entries.values():
        if entry["state"] == "failed":
            reasons[entry.get("reason", "?")] = reasons.get(entry.get("reason", "?"), 0) + 1
    for reason, count in sorted(reasons.items()):
        console.print(f"failed, {reason}: {count}")


@crawler_app.command("replay")
def replay(
    warc: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A crawl's WARC.")],
    sources_file: SourcesFile = None,
) -> None:
    """Extract the articles of an archived crawl again, without fetching anything."""
    from rich.table import Table

    from crawler.archive.replay import replay_warc
    from crawler.sources import load_sources
    from newsloom.settings import get_settings

    sources = load_sources(sources_file or get_settings().sources_file).sources
    table = Table(title=f"replayed {warc.name}")
    table.add_column("URL")
    table.add_column("title, or why no article")
    for result in replay_warc(warc, sources):
        title = result.article.title if result.article else f"[red]{result.problem}[/red]"
        table.add_row(result.url, title)
    console.print(table)
