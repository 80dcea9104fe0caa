"""Near-duplicate groups and stories assigned by several processes at once, on the real Redis.

No lock serialises them any more (a Lua script for near-duplicates, optimistic transactions for
stories), so these check that concurrent workers still agree: the partition into groups and
stories is the one a single worker makes, whatever the interleaving.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier

import pytest
import redis
from datasketch import MinHashLSH

from newsloom.schema import Article
from newsloom.settings import Settings
from tests.workers.private import private_redis
from tests.workers.seeds import corpus_bodies, seed_article, seed_paths
from workers.enrichment import duplicates as duplicates_module
from workers.enrichment.duplicates import NearDuplicates, minhash
from workers.enrichment.pipeline import enrich
from workers.enrichment.stories import Stories

pytestmark = pytest.mark.integration

PROCESSES = 4
CONCURRENT_DB, SERIAL_DB = 8, 9
WRAPPER = "Home | World\nSubscribe to our newsletter\nAdvertisement\nShare this story"

_barrier: Barrier | None = None


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    """Four outlets' copies of both seeds, and corpus articles on other subjects, interleaved."""
    copies = [
        enrich(seed_article(path, f"outlet-{n}", WRAPPER * n))
        for n in range(PROCESSES)
        for path in seed_paths()
    ]
    others = [enrich(article) for article in corpus_bodies()[:24]]
    return [a for pair in zip(copies, others[: len(copies)], strict=True) for a in pair] + others[
        len(copies) :
    ]


@pytest.fixture
def concurrent(services: Settings) -> Iterator[redis.Redis]:
    """An emptied database for the concurrent run."""
    with private_redis(services, CONCURRENT_DB) as connection:
        yield connection


@pytest.fixture
def serial(services: Settings) -> Iterator[redis.Redis]:
    """An emptied database for the one-worker run."""
    with private_redis(services, SERIAL_DB) as connection:
        yield connection


def _start(barrier: Barrier) -> None:
    # The pool hands each child its barrier once, here: a barrier cannot travel as an argument.
    global _barrier
    _barrier = barrier


Row = tuple[str, str | None, str | None]  # article id, duplicate group, story id


def _assign(url: str, documents: list[dict[str, object]]) -> list[Row]:
    """In a child process: assign its share of articles, starting when every child can."""
    client = redis.Redis.from_url(url, decode_responses=True)
    duplicates, stories = NearDuplicates(client), Stories(client)
    assert _barrier is not None
    _barrier.wait(timeout=120)
    assigned: list[Row] = []
    for document in documents:
        article = stories.assign(duplicates.assign(Article.from_document(document)))
        assigned.append(
            (article.id, article.enrichment.duplicate_group, article.enrichment.story_id)
        )
    return assigned


def _partition(
    assigned: list[tuple[str, str | None, str | None]], column: int
) -> set[frozenset[str]]:
    """The articles grouped by one column (group or story), whatever each group is named."""
    groups: dict[str | None, set[str]] = {}
    for row in assigned:
        groups.setdefault(row[column], set()).add(row[0])
    return {frozenset(ids) for ids in groups.values()}


def test_processes_assigning_at_once_agree_with_one_worker(
    concurrent: redis.Redis, serial: redis.Redis, articles: list[Article]
) -> None:
    kwargs = concurrent.connection_pool.connection_kwargs
    url = f"redis://{kwargs['host']}:{kwargs['port']}/{CONCURRENT_DB}"
    documents = [article.model_dump(mode="json") for article in articles]
    # Round robin: each seed's copies go to different processes, which start together.
    shares = [documents[n::PROCESSES] for n in range(PROCESSES)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    with context.Pool(PROCESSES, initializer=_start, initargs=(barrier,)) as pool:
        at_once = [
            row for rows in pool.starmap(_assign, [(url, s) for s in shares]) for row in rows
        ]
    duplicates, stories = NearDuplicates(serial), Stories(serial)
    one_by_one: list[Row] = []
    for article in articles:
        done = stories.assign(duplicates.assign(article))
        one_by_one.append((done.id, done.enrichment.duplicate_group, done.enrichment.story_id))

    assert len(at_once) == len(articles)
    assert _partition(at_once, 1) == _partition(one_by_one, 1)
    assert _partition(at_once, 2) == _partition(one_by_one, 2)
    first_stem = seed_paths()[0].stem
    first_copies = {
        a.id for a in articles if a.source_id.startswith("outlet-") and a.url.endswith(first_stem)
    }
    assert len(first_copies) == PROCESSES
    # The copies of each seed: one group; both seeds' copies: one story.
    assert first_copies in _partition(at_once, 1)
    seeds = {a.id for a in articles if a.source_id.startswith("outlet-")}
    assert seeds in _partition(at_once, 2)
    # Every group and story is named after one of its own articles.
    assert all(group in {i for i, g, _s in at_once if g == group} for _i, group, _s in at_once)


def test_datasketch_reads_the_index_the_script_writes(concurrent: redis.Redis) -> None:
    first, second = (enrich(seed_article(path)) for path in seed_paths())
    index = NearDuplicates(concurrent)
    index.assign(first)
    index.assign(second)
    kwargs = concurrent.connection_pool.connection_kwargs
    lsh = MinHashLSH(
        threshold=duplicates_module.THRESHOLD,
        num_perm=duplicates_module.NUM_PERM,
        storage_config={
            "type": "redis",
            "basename": duplicates_module._BASENAME,
            "redis": {"host": kwargs["host"], "port": kwargs["port"], "db": CONCURRENT_DB},
        },
        prepickle=False,
    )
    assert lsh.query(minhash(first.body + " " + WRAPPER)) == [first.id.encode()]
    assert set(lsh.keys) == {first.id.encode(), second.id.encode()}
