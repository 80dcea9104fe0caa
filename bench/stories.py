"""Story assignment as the window fills: ms per article, time in the write step, recall.

Run ``python -m bench.stories`` against a running Redis (``newsloom services up``); it uses a
database of its own (``--redis-db``, default 14) whose ``newsloom:workers:*`` keys are deleted
before and after. Articles are passages of the corpus bodies (two to eight sentences), each
with its own embedding and the entity and keyword profile of the page it comes from, so
vectors and profiles look like the real ones. The index is filled to each ``--sizes`` window
size; there ``--probes`` new articles go through the old method (the baseline, measured in the
same run) and as many through the current one, and ``--probes`` more passages measure recall:
the fraction of the exact 20 nearest (by cosine over the whole window) the two-pass search
returns, and how often it returns the exact nearest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import numpy as np
import redis
import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from bench.enrichment import bench_redis, clear_bench_redis
from newsloom.schema import Article
from newsloom.settings import get_settings
from tests.workers.seeds import corpus_bodies
from workers.enrichment import stories as stories_module
from workers.enrichment.embeddings import embed_text
from workers.enrichment.pipeline import enrich
from workers.enrichment.stories import Stories
from workers.enrichment.story_window import Nearest, StoryWindow, decode

__all__ = ["BaselineStories", "TimedStories", "main", "passages"]

console = Console(highlight=False)
Vector = stories_module.Vector


class TimedStories(Stories):
    """The current story index, adding up the time spent scoring and writing: what another
    worker's write can overtake (and what a lock used to be held for)."""

    def __init__(self, client: redis.Redis) -> None:
        super().__init__(client)
        self.write_seconds = 0.0

    def _story(
        self, article: Article, vector: Vector | None, nearest: Nearest | None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return super()._story(article, vector, nearest)
        finally:
            self.write_seconds += time.perf_counter() - started

    def _write(
        self,
        pipe: redis.client.Pipeline,
        article: Article,
        stored: dict[str, Any],
        vector: Vector | None,
    ) -> None:
        started = time.perf_counter()
        try:
            super()._write(pipe, article, stored, vector)
        finally:
            self.write_seconds += time.perf_counter() - started


class _UnsearchedWindow(StoryWindow):
    """The window without its two-pass search, which the baseline does not use."""

    def nearest(self, language: str | None, vector: Vector, skip: str, limit: int) -> Nearest:
        return Nearest(0, [])


class BaselineStories(TimedStories):
    """BASELINE ONLY: the candidate search before the two-pass window, kept here to measure
    against. It read every recent vector of the language while scoring."""

    def __init__(self, client: redis.Redis) -> None:
        super().__init__(client)
        self._window = _UnsearchedWindow(client, stories_module._PREFIX)

    def _candidates(
        self, language: str | None, vector: Vector | None, skip: str, nearest: Nearest | None
    ) -> list[tuple[str, float]]:
        if vector is None:
            return super()._candidates(language, vector, skip, nearest)
        recent = self._client.zrevrange(
            stories_module._recent(language), 0, stories_module.WINDOW - 1
        )
        ids = [str(i) for i in recent if str(i) != skip]
        stored = self._client.hmget(stories_module._VECTORS, ids) if ids else []
        known = [(i, decode(str(raw))) for i, raw in zip(ids, stored, strict=True) if raw]
        if not known:
            return []
        cosines = np.stack([v for _i, v in known]) @ vector
        best = np.argsort(-cosines, kind="stable")[: stories_module.CANDIDATES]
        return [(known[int(n)][0], float(cosines[int(n)])) for n in best]


def passages(seed: int) -> Iterator[Article]:
    """Distinct articles, as many as asked for: passages of the enriched corpus pages, each
    embedded (a passage drawn twice is skipped: copies would tie for nearest)."""
    pages = [enrich(article) for article in corpus_bodies()]
    pages = [page for page in pages if page.language == "en"]
    sentences = [re.split(r"(?<=[.!?])\s+", page.body) for page in pages]
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    for n in range(10**9):
        page = int(rng.integers(len(pages)))
        length = int(rng.integers(2, 9))
        start = int(rng.integers(max(1, len(sentences[page]) - length + 1)))
        text = " ".join(sentences[page][start : start + length])
        if text in seen:
            continue
        seen.add(text)
        url = f"{pages[page].canonical_url}#passage-{seed}-{n}"
        enrichment = pages[page].enrichment.model_copy(
            update={"embedding": [float(x) for x in embed_text(text)], "story_id": None}
        )
        yield pages[page].model_copy(
            update={"url": url, "canonical_url": url, "body": text, "enrichment": enrichment}
        )


def _timed(index: TimedStories, articles: Sequence[Article]) -> tuple[float, float]:
    """Milliseconds per article in total and in the write step (scoring and writing)."""
    index.write_seconds = 0.0
    started = time.perf_counter()
    for article in articles:
        index.assign(article)
    total = time.perf_counter() - started
    return 1000 * total / len(articles), 1000 * index.write_seconds / len(articles)


def _recall(client: redis.Redis, queries: Sequence[Article]) -> tuple[float, float]:
    """Fractions of the exact 20 nearest, and of the exact nearest, that the two-pass search
    finds, averaged over queries (an article as close as the one it misses counts)."""
    stored = client.hgetall(stories_module._VECTORS)
    ids = list(stored)
    matrix = np.stack([decode(str(stored[i])) for i in ids])
    window = StoryWindow(client, stories_module._PREFIX)
    found, first = [], []
    for query in queries:
        vector = np.asarray(query.enrichment.embedding, dtype=np.float32)
        exact = np.sort(matrix @ vector)[::-1][:20]
        nearest = [c for _i, c in window.nearest(query.language, vector, "", 20).found]
        # By cosine, not id: the search's cosines come from the same stored vectors.
        found.append(sum(c >= exact[-1] - 1e-6 for c in nearest) / len(exact))
        first.append(float(bool(nearest) and nearest[0] >= exact[0] - 1e-6))
    return float(np.mean(found)), float(np.mean(first))


def main(
    sizes: Annotated[str, typer.Option(help="Window sizes to measure at, comma-separated.")] = (
        "500,2500,5000"
    ),
    probes: Annotated[int, typer.Option(min=1, help="Articles timed per method and size.")] = 50,
    redis_db: Annotated[int, typer.Option(help="Redis database to fill.")] = 14,
) -> None:
    """Fill the story index step by step and print the table."""
    try:
        url, client = bench_redis(get_settings(), redis_db)
    except redis.RedisError as error:
        console.print(
            f"[red]no Redis for database {redis_db}[/red] ({error}): "
            "start one with `newsloom services up`"
        )
        raise typer.Exit(1) from error
    articles = passages(seed=1)
    current, baseline = TimedStories(client), BaselineStories(client)
    table = Table(title=f"story assignment: ms per article, {probes} per cell, one process")
    table.caption = (
        "base: the old search (every recent vector, while scoring); write: ms scoring and "
        "writing, what another worker's write can overtake (it once held the shared lock); "
        "rec@20, rec@1: recall of the exact 20 nearest and of the nearest"
    )
    columns = ("window", "base ms", "new ms", "x", "base write", "new write", "x")
    for column in (*columns, "rec@20", "rec@1"):
        table.add_column(column, justify="right")
    try:
        for size in (int(s) for s in sizes.split(",")):
            fill = max(0, size - int(client.zcard(stories_module._recent("en"))))
            for article in track(
                [next(articles) for _ in range(fill)], f"filling to {size:,}", console=console
            ):
                current.assign(article)
            old_ms, old_write = _timed(baseline, [next(articles) for _ in range(probes)])
            new_ms, new_write = _timed(current, [next(articles) for _ in range(probes)])
            recall, recall_first = _recall(client, [next(articles) for _ in range(probes)])
            table.add_row(
                f"{size:,}",
                f"{old_ms:.1f}",
                f"{new_ms:.1f}",
                f"{old_ms / new_ms:.1f}",
                f"{old_write:.1f}",
                f"{new_write:.1f}",
                f"{old_write / new_write:.1f}",
                f"{recall:.3f}",
                f"{recall_first:.3f}",
            )
    finally:
        clear_bench_redis(url)
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
