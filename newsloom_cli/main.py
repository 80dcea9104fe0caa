"""The ``newsloom`` command line: services, fixture site, crawl, workers, index and search."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from crawler.cli import SourceIds, SourcesFile, crawler_app
from crawler.overrides_cli import overrides_app
from crawler.websub.cli import websub_app
from newsloom.console import make_console
from newsloom.errors import NewsloomError, NotFoundError, ServiceUnavailableError
from newsloom.queues import CRAWL_QUEUE
from newsloom_cli.errors import DEBUG_FLAG, run_cli, version_callback
from ops.dev.fixture_site.cli import fixtures_app
from ops.dev.local.cli import services_app
from ops.kibana.cli import kibana_app
from ops.prometheus.cli import metrics_app
from search.cli import index_admin_app
from search.commands import search_commands
from workers.cli import quarantine_app, reenrich_app
from workers.enrichment.watchlist_cli import entities_app
from workers.routing import worker_queues

# Every command imports what it needs when it runs, so `newsloom --help` stays fast.
app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
    _debug: Annotated[
        bool, typer.Option(DEBUG_FLAG, help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """Crawl regional news, enrich every article, and make it searchable."""


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
app.add_typer(websub_app, name="websub")
app.add_typer(search_commands)  # api
app.add_typer(kibana_app, name="kibana")
console = make_console()


@app.command()
def crawl(
    source_ids: SourceIds = None,
    sources_file: SourcesFile = None,
    wait: Annotated[bool, typer.Option(help="Wait until every article is searchable.")] = False,
    wait_timeout: Annotated[float, typer.Option(help="Seconds to wait for indexing.")] = 300.0,
) -> None:
    """Crawl sources now and queue every article for enrichment."""
    from crawler.cli import crawl_with_progress

    report = crawl_with_progress("crawling", source_ids, sources_file)
    articles = sorted(set(report.article_ids))
    console.print(f"crawled {report.pages} pages, queued {len(articles)} articles")
    if wait and articles:
        _wait_indexed(articles, wait_timeout)


def _wait_indexed(article_ids: list[str], timeout_s: float) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from newsloom.settings import get_settings
    from search.client import create_client
    from search.waiting import wait_until_indexed

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
        raise ServiceUnavailableError(
            f"only {done} of {len(article_ids)} articles were indexed in {timeout_s:.0f} s; "
            "is a worker running (`newsloom worker`)? Read its log, then run "
            "`newsloom services status`."
        )


@app.command()
def worker(
    queues: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated queues to consume; by default enrich, the queues of the "
            "language groups in NEWSLOOM_WORKER_LANGUAGES (all when unset) and index."
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1)] = 2,
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run a Celery worker that enriches and indexes articles (replaces this process)."""
    from newsloom.settings import get_settings

    consumed = queues or ",".join(worker_queues(get_settings()))
    _exec_celery(
        "workers.app", "worker", "--queues", consumed, "--concurrency", str(concurrency),
        "--loglevel", loglevel, "--max-tasks-per-child", "1000",
        "--without-gossip", "--without-mingle",
    )  # fmt: skip


@app.command()
def beat(
    loglevel: Annotated[str, typer.Option()] = "INFO",
    max_interval: Annotated[
        int, typer.Option(min=1, help="Longest sleep between schedule checks, in seconds.")
    ] = 30,
) -> None:
    """Run the crawl schedule (Celery beat with RedBeat; a second one stands by)."""
    _exec_celery(
        "ops.schedule", "beat", "--scheduler", "redbeat.RedBeatScheduler",
        "--loglevel", loglevel, "--max-interval", str(max_interval),
    )  # fmt: skip


@app.command("crawl-worker")
def crawl_worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Crawls run at once.")] = 1,
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run the worker that carries out scheduled crawls and index rotation."""
    _exec_celery(
        "ops.schedule", "worker", "--queues", CRAWL_QUEUE, "--concurrency", str(concurrency),
        "--loglevel", loglevel, "--without-gossip", "--without-mingle",
    )  # fmt: skip


def _exec_celery(app_module: str, *arguments: str) -> None:
    # exec, not a child: signals from the supervisor (SIGTERM on `docker stop`) reach Celery.
    argv = [sys.executable, "-m", "celery", "-A", app_module, *arguments]
    os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter with fixed arguments


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help='Free text; "quotes" for phrases, -word to exclude.')
    ],
    size: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Search indexed articles and print ranked, highlighted hits."""
    from newsloom.settings import get_settings
    from newsloom_cli.render import hits_table
    from search.client import create_client
    from search.query import search_articles

    settings = get_settings()
    hits = search_articles(create_client(settings), settings.index_alias, query, size)
    console.print(hits_table(query, hits))


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="An article id, as `search` prints it.")],
    related: Annotated[int, typer.Option(min=0, max=50, help="Related articles to list.")] = 5,
) -> None:
    """Print one article with its entities, places, topics, story and related coverage."""
    from newsloom.settings import get_settings
    from newsloom_cli.render import find_article_card
    from search.client import create_client

    settings = get_settings()
    card = find_article_card(create_client(settings), settings.index_alias, article_id, related)
    if card is None:
        raise NotFoundError(f"no article has id {article_id!r}; `newsloom search` prints the ids")
    console.print(card)


@app.command()
def demo(
    stop_services: Annotated[
        bool, typer.Option(help="Stop Redis and Elasticsearch at the end (default: keep them).")
    ] = False,
) -> None:
    """Run the main job once: services, fixture site, worker, crawl, index and searches."""
    from newsloom.settings import get_settings
    from newsloom_cli.demo import run_demo
    from ops.dev.local.services import down as services_down
    from ops.dev.local.services import up as services_up

    settings = get_settings()
    try:
        services_up(settings, console=console)
        indexed = run_demo(settings, console)
    finally:
        if stop_services:
            services_down(settings, console=console)
    if not indexed:
        raise NewsloomError("nothing was indexed; read the worker log named above")
    if not stop_services:
        console.print(
            'Redis and Elasticsearch are still running: try `newsloom search "Kim Jong-un"`; '
            "stop them with `newsloom services down`."
        )


@index_app.command("init")
def index_init() -> None:
    """Install index templates and create the first index behind the alias."""
    from newsloom.settings import get_settings
    from search.client import create_client
    from search.templates import ensure_index

    settings = get_settings()
    ensure_index(create_client(settings), settings.index_alias, settings.index_replicas)
    console.print(f"index alias {settings.index_alias!r} is ready")


def main() -> None:
    """The ``newsloom`` entry point: run a command, and report its failure in one line."""
    run_cli(app)
