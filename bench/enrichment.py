"""Enrichment benchmark: articles/s per stage and in total, and RSS, in one worker process.

Run ``python -m bench.enrichment`` (needs the shared corpus; with a reachable Redis, also the
near-duplicate and story stages, in a database of their own: ``--redis-db``, default 15,
whose ``newsloom:workers:*`` keys are deleted before and after). Articles are the two seeds
plus the article-extraction benchmark's human-written bodies, repeated ``--rounds`` times
under fresh URLs. The baseline row, measured in the same run, is the JSON round trip every
task pays anyway (``Article.from_document`` + ``model_dump``). One process running the stages
one article at a time is what each prefork child of a worker does, so the rates are per
worker process; ``bench.worker_memory`` measures a whole worker (broker and indexing too).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import redis
import typer
from pydantic import RedisDsn
from rich.console import Console
from rich.progress import track
from rich.table import Table

from newsloom.schema import Article
from newsloom.settings import Settings, get_settings
from newsloom.state import KEY_PREFIX, redis_client
from tests.workers.seeds import corpus_bodies, seed_article, seed_paths
from workers.enrichment.duplicates import NearDuplicates
from workers.enrichment.pipeline import STAGES, enrich
from workers.enrichment.stage import Stage
from workers.enrichment.stories import Stories

__all__ = ["StageResult", "load_articles", "main", "measure"]

console = Console(highlight=False)


@dataclass(frozen=True)
class StageResult:
    """One stage's throughput over the benchmark articles."""

    name: str
    articles: int
    seconds: float
    rss_mib: float

    @property
    def per_second(self) -> float:
        """Articles per second."""
        return self.articles / self.seconds if self.seconds else float("inf")


def _rss_mib() -> float:
    # Current resident set from /proc (Linux); the peak from getrusage elsewhere.
    statm = Path("/proc/self/statm")
    if statm.exists():
        pages = int(statm.read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_articles(rounds: int) -> list[Article]:
    """The seeds and the corpus bodies, ``rounds`` times over under distinct URLs."""
    bases = [seed_article(path) for path in seed_paths()] + corpus_bodies()
    return [
        base.model_copy(update={"canonical_url": f"{base.canonical_url}#round-{n}"})
        for n in range(rounds)
        for base in bases
    ]


def _round_trip(article: Article) -> Article:
    return Article.from_document(article.model_dump(mode="json"))


def measure(
    name: str, stage: Stage, articles: Sequence[Article]
) -> tuple[StageResult, list[Article]]:
    """Run ``stage`` over every article; return its result and the stage's output."""
    started = time.perf_counter()
    output = [stage(article) for article in track(articles, description=name, console=console)]
    seconds = time.perf_counter() - started
    return StageResult(name, len(articles), seconds, _rss_mib()), output


def bench_redis(settings: Settings, db: int) -> tuple[str, redis.Redis]:
    """The URL of Redis database ``db`` and a client on it, emptied of newsloom's keys.

    Raises ``redis.RedisError`` when no Redis answers there.
    """
    url = str(settings.redis_url).rsplit("/", 1)[0] + f"/{db}"
    client = redis_client(settings.model_copy(update={"redis_url": RedisDsn(url)}))
    client.ping()
    clear_bench_redis(url)
    return url, client


def clear_bench_redis(url: str) -> None:
    """Delete newsloom's keys from the Redis database at ``url``."""
    # The LSH's key names are binary: scan with a client that does not decode them.
    with redis.Redis.from_url(url) as raw:
        for key in raw.scan_iter(match=f"{KEY_PREFIX}:*".encode()):
            raw.delete(key)


def _table(baseline: StageResult, results: list[StageResult], start_rss: float) -> Table:
    table = Table(
        title=f"enrichment: {baseline.articles} articles, one worker process, one at a time"
    )
    columns = ("stage", "articles/s", "ms/article", "x baseline cost", "RSS MiB", "RSS +MiB")
    for column in columns:
        table.add_column(column, justify="left" if column == "stage" else "right")
    total_seconds = sum(result.seconds for result in results)
    total = StageResult("total (all stages)", baseline.articles, total_seconds, _rss_mib())
    table.add_row("start (imports done)", "", "", "", f"{start_rss:.0f}", "")
    previous = start_rss
    for result in [baseline, *results]:
        # The memory a stage adds is mostly what it loads once (a model, a gazetteer).
        table.add_row(*_cells(result, baseline), f"{result.rss_mib - previous:+.0f}")
        previous = result.rss_mib
    table.add_row(*_cells(total, baseline), f"{total.rss_mib - start_rss:+.0f}")
    return table


def _cells(result: StageResult, baseline: StageResult) -> tuple[str, ...]:
    return (
        result.name,
        f"{result.per_second:,.0f}",
        f"{1000 * result.seconds / result.articles:.2f}",
        f"{result.seconds / baseline.seconds:.1f}" if baseline.seconds else "-",
        f"{result.rss_mib:.0f}",
    )


def memory_profile(articles: Sequence[Article], total: int, every: int) -> Table:
    """Stream ``total`` articles through the pipeline one at a time (as a worker does),
    keeping none, and sample RSS every ``every`` articles: a leak shows as a rising column."""
    table = Table(title=f"RSS while enriching {total:,} articles one at a time")
    table.add_column("articles", justify="right")
    table.add_column("RSS MiB", justify="right")
    table.add_row("0", f"{_rss_mib():.0f}")
    for done in track(range(1, total + 1), description="streaming", console=console):
        article = articles[done % len(articles)]
        enrich(Article.from_document(article.model_dump(mode="json")))
        if done % every == 0:
            table.add_row(f"{done:,}", f"{_rss_mib():.0f}")
    return table


def main(
    rounds: Annotated[int, typer.Option(min=1, help="Times the article set is repeated.")] = 5,
    redis_db: Annotated[int, typer.Option(help="Redis database for the stateful stages.")] = 15,
    with_redis: Annotated[
        bool, typer.Option(help="Also measure the stages with state in Redis.")
    ] = True,
    memory: Annotated[
        int, typer.Option(help="Also stream this many articles and sample RSS (0: skip).")
    ] = 0,
) -> None:
    """Measure every enrichment stage and print the table."""
    settings = get_settings()
    start_rss = _rss_mib()
    articles = load_articles(rounds)
    baseline, _ = measure("baseline: JSON round trip", _round_trip, articles)
    stages: list[tuple[str, Stage]] = [(stage.__name__, stage) for stage in STAGES]
    url, stateful = "", list[tuple[str, Stage]]()
    if with_redis:
        try:
            url, client = bench_redis(settings, redis_db)
        except redis.RedisError as error:
            console.print(
                f"[yellow]skipping duplicates and stories:[/yellow] no Redis ({error}); "
                "start one with `newsloom services up`"
            )
        else:
            stateful = [
                ("duplicates (Redis)", NearDuplicates(client).assign),
                ("stories (Redis)", Stories(client).assign),
            ]
    results = []
    current = articles
    for name, stage in [*stages, *stateful]:
        result, current = measure(name, stage, current)
        results.append(result)
    if stateful:
        clear_bench_redis(url)
    console.print(_table(baseline, results, start_rss))
    if memory:
        console.print(memory_profile(articles, memory, max(1, memory // 10)))


if __name__ == "__main__":
    typer.run(main)
