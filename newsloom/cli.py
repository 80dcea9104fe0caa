"""The ``newsloom`` command line: services, fixture site, crawl, workers, index and search."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from crawler.cli import SourceIds, SourcesFile, crawl_with_progress, crawler_app
from crawler.sources.cli import overrides_app
from newsloom.console import command_error, find_article_card, hits_table, make_console
from newsloom.settings import get_settings
from ops.fixture_site.cli import fixtures_app
from ops.local.background import BackgroundProcessError
from ops.local.cli import services_app
from ops.local.errors import ServiceError
from ops.local.services import down as services_down
from ops.local.services import up as services_up
from ops.prometheus.cli import metrics_app
from search.cli import index_admin_app
from search.client import create_client
from search.commands import search_commands
from search.query import search_articles
from search.templates import ensure_index
from search.waiting import wait_until_indexed
from workers.cli import quarantine_app, reenrich_app
from workers.enrichment.watchlist_cli import entities_app
from workers.queues import ALL_QUEUES

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_show_locals=False)
app.add_typer(
    services_app, name="services", help="Start, stop and inspect local Redis and Elasticsearch."
)
app.add_typer(fixtures_app, name="fixtures", help="The fixture news site for tests and the demo.")
index_app = typer.Typer(help="Manage the Elasticsearch indices.", no_args_is_help=True)
app.add_typer(index_app, name="index")
index_app.add_typer(index_admin_app)  # rollover, reindex
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(reenrich_app, name="reenrich")
app.add_typer(entities_app, name="entities")
app.add_typer(metrics_app, name="metrics")
app.add_typer(crawler_app, name="crawler")
app.add_typer(overrides_app, name="overrides")
app.add_typer(search_commands)  # api, kibana import
console = make_console()


def _fail(message: str) -> typer.Exit:
    return command_error(console, message)


@app.command()
def crawl(
    source_ids: SourceIds = None,
    sources_file: SourcesFile = None,
    wait: Annotated[bool, typer.Option(help="Wait until every article is searchable.")] = False,
    wait_timeout: Annotated[float, typer.Option(help="Seconds to wait for indexing.")] = 300.0,
    all_sources: Annotated[bool, typer.Option("--all", help="Crawl every source.")] = False,
) -> None:
    """Crawl sources now and queue every article for enrichment."""
    if all_sources and source_ids:
        raise _fail("name sources or pass --all, not both")
    report = crawl_with_progress("crawling", source_ids, sources_file)
    articles = sorted(set(report.article_ids))
    console.print(f"crawled {report.pages} pages, queued {len(articles)} articles")
    if wait and articles:
        _wait_indexed(articles, wait_timeout)


def _wait_indexed(article_ids: list[str], timeout_s: float) -> None:
    settings = get_settings()
    es = create_client(settings)
    with Progress(
        SpinnerColumn(), TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("indexing", total=len(article_ids))
        done = wait_until_indexed(
            es,
            settings.index_alias,
            article_ids,
            timeout_s,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    if done < len(article_ids):
        raise _fail(
            f"only {done} of {len(article_ids)} articles were indexed in {timeout_s:.0f} s; "
            "is a worker running (`newsloom worker`)? Read its log, then run "
            "`newsloom services status`."
        )


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated queues to consume.")] = ",".join(
        ALL_QUEUES
    ),
    concurrency: Annotated[int, typer.Option(min=1)] = 2,
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run a Celery worker process (replaces this process)."""
    arguments = [
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        "--queues", queues, "--concurrency", str(concurrency), "--loglevel", loglevel,
        "--max-tasks-per-child", "1000", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    os.execv(sys.executable, arguments)  # noqa: S606 - our own interpreter with fixed arguments


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help='Free text; "quotes" for phrases, -word to exclude.')
    ],
    size: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Search indexed articles and print ranked, highlighted hits."""
    settings = get_settings()
    try:
        hits = search_articles(create_client(settings), settings.index_alias, query, size)
    except ValueError as error:
        raise _fail(str(error)) from error
    console.print(hits_table(query, hits))


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="An article id, as `search` prints it.")],
    related: Annotated[int, typer.Option(min=0, max=50, help="Related articles to list.")] = 5,
) -> None:
    """Print one article with its entities, places, topics, story and related coverage."""
    settings = get_settings()
    card = find_article_card(create_client(settings), settings.index_alias, article_id, related)
    if card is None:
        raise _fail(f"no article has id {article_id!r}; `newsloom search` prints the ids")
    console.print(card)


@app.command()
def demo(
    stop_services: Annotated[
        bool, typer.Option(help="Stop Redis and Elasticsearch at the end (default: keep them).")
    ] = False,
) -> None:
    """Run the main job once: services, fixture site, worker, crawl, index and searches."""
    from newsloom.demo import run_demo

    settings = get_settings()
    try:
        services_up(settings, console=console)
        indexed = run_demo(settings, console)
    except (ServiceError, BackgroundProcessError) as error:
        raise _fail(str(error)) from error
    finally:
        if stop_services:
            services_down(settings, console=console)
    if not indexed:
        raise _fail("nothing was indexed; read the worker log named above")
    if not stop_services:
        console.print(
            'Redis and Elasticsearch are still running: try `newsloom search "Kim Jong-un"`; '
            "stop them with `newsloom services down`."
        )


@index_app.command("init")
def index_init() -> None:
    """Install index templates and create the first index behind the alias."""
    settings = get_settings()
    ensure_index(create_client(settings), settings.index_alias, settings.index_replicas)
    console.print(f"index alias {settings.index_alias!r} is ready")
