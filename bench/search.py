"""Search benchmark: bulk-index a generated corpus, then time typical analyst queries.

The corpus is built from the shared publisher pages: each generated article takes a page's
title and paragraphs in a varied order, mixes in a paragraph from another page, and gets
enrichment (countries, entities, topics, stories) cycled from East Asian security values, so
filters and facets have realistic selectivity. Run against a running Elasticsearch::

    newsloom services up
    python -m bench.search --size 100000
    python -m bench.search --reuse       # time the queries again without rebuilding
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from newsloom.schema import Article, Entity, Topic
from newsloom.settings import get_settings
from search.aliases import write_alias
from search.bulk import bulk_index
from search.client import create_client
from search.request import SearchRequest
from search.results import run_search
from search.templates import ensure_index
from tests.search.corpus_articles import corpus_articles

_COUNTRIES = [["KP"], ["KR", "KP"], ["CN"], ["CN", "TW"], ["RU"], ["JP"], ["US", "KP"], ["US"]]
_ENTITIES = [
    ("Kim Jong Un", "person"), ("Xi Jinping", "person"), ("Vladimir Putin", "person"),
    ("Korean People's Army", "organization"), ("Hwasong-18", "weapon"), ("Choe Son Hui", "person"),
]  # fmt: skip
_TOPICS = ["missile test", "sanctions", "diplomacy", "military exercise", "cyber", "economy"]

# Typical analyst questions: free text, filters, a date range, sorted by date.
QUERIES: dict[str, SearchRequest] = {
    "text: china": SearchRequest(text="China"),
    'phrase: "security council"': SearchRequest(text='"security council"'),
    "text + exclude": SearchRequest(text="government -election"),
    "country KP, by date": SearchRequest(country=["KP"], sort="date"),
    "entity Kim Jong Un": SearchRequest(entity=["Kim Jong Un"]),
    "text + topic + country": SearchRequest(text="minister", topic=["sanctions"], country=["CN"]),
    "story timeline": SearchRequest(story=["story-00042"], sort="date", size=50),
}


def generated_articles(count: int, seed: int = 7) -> Iterator[Article]:
    """``count`` distinct articles varied from the corpus pages (deterministic for a seed)."""
    pages = corpus_articles(get_settings().shared_dir)
    chooser = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    for number in range(count):
        page = pages[number % len(pages)]
        other = pages[chooser.randrange(len(pages))]
        paragraphs = page.body.split("\n\n")
        chooser.shuffle(paragraphs)
        extra = chooser.choice(other.body.split("\n\n"))
        name, kind = _ENTITIES[number % len(_ENTITIES)]
        url = f"{page.canonical_url}?bench={number}"
        yield page.model_copy(
            update={
                "url": url,
                "canonical_url": url,
                "body": "\n\n".join([*paragraphs, extra]),
                "published_at": page.published_at and page.published_at - timedelta(hours=number),
                "language": "en" if number % 3 else "ko",
                "enrichment": page.enrichment.model_copy(
                    update={
                        "countries": _COUNTRIES[number % len(_COUNTRIES)],
                        "entities": [Entity(name=name, type=kind)],  # type: ignore[arg-type]
                        "topics": [Topic(label=_TOPICS[number % len(_TOPICS)], score=0.8)],
                        "story_id": f"story-{number % 997:05d}",
                    }
                ),
            }
        )


@dataclass(frozen=True)
class Timing:
    """Latencies of one query in milliseconds: as the caller saw them, inside the server, and
    as the caller saw them with the request cache emptied first (a question asked first)."""

    name: str
    samples: list[float]
    server: list[float]
    uncached: list[float]

    @staticmethod
    def percentile(samples: list[float], p: int) -> float:
        """The ``p``-th percentile of ``samples`` (nearest rank)."""
        ordered = sorted(samples)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _time(es: Any, alias: str, name: str, call: Callable[[], float], repeat: int) -> Timing:
    """Time ``call`` (which returns the server's own time) warm, then with an empty cache."""
    samples, server, uncached = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        server.append(call())
        samples.append((time.perf_counter() - started) * 1000)
    for _ in range(repeat):
        es.indices.clear_cache(index=alias, request=True)
        started = time.perf_counter()
        call()
        uncached.append((time.perf_counter() - started) * 1000)
    return Timing(name, samples, server, uncached)


def _warm_up(es: Any, alias: str, rounds: int, console: Console) -> None:
    """Run every query ``rounds`` times, untimed: a serving node has compiled its search code
    and filled its caches long before an analyst asks, and a freshly started JVM has not."""
    with Progress(
        TextColumn("warming up"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        task = bar.add_task("warming up", total=rounds * (len(QUERIES) + 1))
        for _ in range(rounds):
            es.search(index=alias, size=10, query={"match_all": {}})
            bar.advance(task)
            for request in QUERIES.values():
                run_search(es, alias, request, timeout_s=get_settings().search_timeout_s)
                bar.advance(task)


def _time_baseline(es: Any, alias: str, repeat: int) -> Timing:
    """The cheapest search there is (ten hits, no scoring, highlight or facets): what the
    round trip and the machine cost, against which each analyst query is compared."""
    return _time(
        es, alias, "baseline: match_all, 10 hits",
        lambda: float(es.search(index=alias, size=10, query={"match_all": {}})["took"]), repeat,
    )  # fmt: skip


def _time_queries(es: Any, alias: str, repeat: int) -> list[Timing]:
    def searcher(request: SearchRequest) -> Callable[[], float]:
        return lambda: float(
            run_search(es, alias, request, timeout_s=get_settings().search_timeout_s).took_ms
        )

    return [_time(es, alias, name, searcher(request), repeat) for name, request in QUERIES.items()]


def _build(es: Any, alias: str, size: int, console: Console) -> None:
    es.options(ignore_status=404).indices.delete(index=f"{alias}-*")
    ensure_index(es, alias)
    # As in the reindex: no refreshes while bulk loading, nobody searches the index yet.
    es.indices.put_settings(index=alias, settings={"index": {"refresh_interval": "-1"}})
    with Progress(
        TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console,
    ) as progress:  # fmt: skip
        task = progress.add_task("indexing", total=size)
        started = time.perf_counter()
        report = bulk_index(
            es, write_alias(alias), generated_articles(size), chunk_size=1000,
            on_progress=lambda r: progress.update(task, completed=r.total), refresh=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    es.indices.put_settings(index=alias, settings={"index": {"refresh_interval": None}})
    es.indices.forcemerge(index=alias, max_num_segments=1)
    console.print(
        f"indexed {report.indexed} articles in {elapsed:.1f} s: "
        f"[bold]{report.indexed / elapsed:,.0f} docs/s[/bold] ({report.failed} failed)"
    )


def main(
    size: Annotated[int, typer.Option(min=100, help="Articles to generate and index.")] = 100_000,
    repeat: Annotated[int, typer.Option(min=5, help="Runs of each query.")] = 50,
    warmup: Annotated[int, typer.Option(min=1, help="Untimed rounds of every query first.")] = 5,
    alias: Annotated[str, typer.Option(help="Alias to build (dropped first).")] = "bench",
    reuse: Annotated[
        bool, typer.Option(help="Time queries on the alias a previous run built; no indexing.")
    ] = False,
) -> None:
    """Index ``size`` generated articles, then report bulk docs/s and query p50/p95/p99."""
    console = Console()
    es = create_client(get_settings())
    if reuse:
        size = int(es.count(index=alias)["count"])
    else:
        _build(es, alias, size, console)
    # Latency on a shared machine is mostly waiting for a core: show how busy it was.
    _warm_up(es, alias, warmup, console)
    load_before = os.getloadavg()[0]
    baseline = _time_baseline(es, alias, repeat)
    timings = _time_queries(es, alias, repeat)
    table = Table(
        title=f"search latency over {size:,} articles, {repeat} runs each (ms); load average "
        f"{load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    columns = (
        "query", "p50", "p95", "p99", "server p50", "server p95", "uncached p95", "p95 x baseline",
    )  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "query" else "right")
    every = Timing(
        "all queries",
        [s for t in timings for s in t.samples],
        [s for t in timings for s in t.server],
        [s for t in timings for s in t.uncached],
    )
    base_p95 = Timing.percentile(baseline.samples, 95)
    for timing in [baseline, *timings, every]:
        p95 = Timing.percentile(timing.samples, 95)
        table.add_row(
            timing.name,
            *(f"{Timing.percentile(timing.samples, p):.1f}" for p in (50, 95, 99)),
            *(f"{Timing.percentile(timing.server, p):.0f}" for p in (50, 95)),
            f"{Timing.percentile(timing.uncached, 95):.1f}",
            f"{p95 / base_p95:.1f}" if base_p95 else "-",
        )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
