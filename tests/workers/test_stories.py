"""The story window's two-pass search, its eviction and its lock-free search, on real Redis."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import redis

from bench.stories import BaselineStories, passages
from newsloom.schema import Article
from newsloom.settings import Settings
from tests.workers.private import private_redis
from tests.workers.seeds import seed_article, seed_paths
from workers.enrichment import stories as stories_module
from workers.enrichment.pipeline import enrich
from workers.enrichment.stories import Stories
from workers.enrichment.story_window import ID_WIDTH, SHORTLIST, Nearest, StoryWindow, sign_code

# A database of its own, so other tests' articles stay out of these windows.
PRIVATE_DB = 8
DIMENSIONS = 256


@pytest.fixture
def client(services: Settings) -> Iterator[redis.Redis]:
    """A client on an emptied private database of the session's Redis."""
    with private_redis(services, PRIVATE_DB) as connection:
        yield connection


Vectors = npt.NDArray[np.float32]


def _unit_vectors(count: int, seed: int) -> Vectors:
    vectors = np.random.default_rng(seed).standard_normal((count, DIMENSIONS))
    units: Vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return units


def _near(centres: Vectors, seed: int) -> Vectors:
    """Unit vectors around ``centres``, as articles on one event sit around its theme."""
    moved = centres + 0.5 * _unit_vectors(len(centres), seed)
    units: Vectors = (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)
    return units


def _article(n: int, vector: Vectors, fetched_at: datetime) -> Article:
    article = Article(
        url=f"http://127.0.0.1/synthetic/{n}",
        canonical_url=f"http://127.0.0.1/synthetic/{n}",
        source_id="synthetic",
        source_name="synthetic",
        title=f"Synthetic article {n}",
        body="A body the story stage does not read.",
        language="en",
        fetched_at=fetched_at,
    )
    article.enrichment.embedding = [float(x) for x in vector]
    return article


def test_sign_codes_differ_in_as_many_bits_as_the_signs_do() -> None:
    vector = _unit_vectors(1, 0)[0]
    same, opposite = bytes.fromhex(sign_code(vector)), bytes.fromhex(sign_code(-vector))
    assert len(same) == 32
    differing = sum(bin(a ^ b).count("1") for a, b in zip(same, opposite, strict=True))
    # Exact zeros have no sign to flip; a random vector has none.
    assert differing == DIMENSIONS


@pytest.mark.integration
def test_the_two_pass_search_finds_the_exact_nearest_among_thousands(
    client: redis.Redis,
) -> None:
    window = StoryWindow(client, "test:stories")
    # 200 events of 20 articles each.
    events = _unit_vectors(200, 1)
    stored = _near(np.repeat(events, 20, axis=0), 2)
    ids = [f"article-{n}" for n in range(len(stored))]
    with client.pipeline(transaction=True) as pipe:
        for article_id, vector in zip(ids, stored, strict=True):
            window.add(pipe, "en", article_id, vector)
        pipe.execute()
    # A new article on every tenth event.
    queries = _near(events[::10], 3)
    found_of_exact = []
    for query in queries:
        exact = [ids[int(n)] for n in np.argsort(-(stored @ query), kind="stable")[:20]]
        found = window.nearest("en", query, skip="", limit=20).found
        assert found[0][0] == exact[0]
        # The second pass ranks by exact cosine (float16 storage: 1e-3).
        assert found[0][1] == pytest.approx(float(stored[ids.index(exact[0])] @ query), abs=1e-3)
        found_of_exact.append(len({i for i, _c in found} & set(exact)) / 20)
    assert min(found_of_exact) >= 0.9, found_of_exact
    # ... from a shortlist far smaller than the window.
    assert len(stored) // 10 > SHORTLIST


@pytest.mark.integration
def test_the_window_skips_the_article_itself_and_reads_other_languages_apart(
    client: redis.Redis,
) -> None:
    window = StoryWindow(client, "test:stories")
    vectors = _unit_vectors(3, 3)
    # A slot taken by a writer that died before writing it: Redis pads it with zero bytes.
    client.incr("test:stories:size:en")
    with client.pipeline(transaction=True) as pipe:
        window.add(pipe, "en", "a", vectors[0])
        window.add(pipe, "en", "b", vectors[1])
        window.add(pipe, "de", "c", vectors[0])
        pipe.execute()
    found = window.nearest("en", vectors[0], skip="a", limit=5).found
    assert [i for i, _c in found] == ["b"]
    assert window.nearest("fr", vectors[0], skip="", limit=5).found == []


@pytest.mark.integration
def test_a_search_made_before_another_article_was_added_still_joins_its_story(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two articles on a new event, searched at once by two workers: neither sees the other
    # in its search, so when it writes the second must complete its search, or it would
    # start a second story.
    index = Stories(client)
    window = StoryWindow(client, stories_module._PREFIX)
    first, second = (enrich(seed_article(path)) for path in seed_paths())
    searched = []
    for article in (first, second):
        vector = np.asarray(article.enrichment.embedding, dtype=np.float32)
        searched.append((vector, window.nearest(article.language, vector, article.id, 20)))
    assert all(not nearest.found for _v, nearest in searched)
    stale = iter([nearest for _v, nearest in searched])
    monkeypatch.setattr(StoryWindow, "nearest", lambda *_args: next(stale))
    assigned = [index.assign(article) for article in (first, second)]
    assert {article.enrichment.story_id for article in assigned} == {first.id}


@pytest.mark.integration
def test_eviction_drops_the_codes_and_sequence_entries_too(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories_module, "WINDOW", 5)
    index = Stories(client)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [
        _article(n, vector, start + timedelta(minutes=n))
        for n, vector in enumerate(_unit_vectors(12, 4))
    ]
    for article in articles:
        index.assign(article)
    kept = {article.id for article in articles[-5:]}
    prefix = stories_module._PREFIX
    assert set(client.hkeys(f"{prefix}:slots:en")) == kept
    assert set(client.zrange(f"{prefix}:order:en", 0, -1)) == kept
    assert set(client.hkeys(stories_module._VECTORS)) == kept
    # Freed slots are reused: the packed codes take one slot per article in the window, plus
    # the one the newest article filled before the oldest left.
    slots = {int(s) for s in client.hvals(f"{prefix}:slots:en")}
    assert len(slots) == 5 and max(slots) <= 5
    assert client.strlen(f"{prefix}:packed:en") == 6 * (ID_WIDTH + 2 * 32)
    assert client.llen(f"{prefix}:free:en") == 1
    # The oldest kept article is still found by the search; an evicted one is not.
    window = StoryWindow(client, prefix)
    oldest = np.asarray(articles[-5].enrichment.embedding, dtype=np.float32)
    assert window.nearest("en", oldest, skip="", limit=1).found[0][0] == articles[-5].id
    gone = np.asarray(articles[0].enrichment.embedding, dtype=np.float32)
    assert articles[0].id not in {i for i, _c in window.nearest("en", gone, "", 20).found}


@pytest.mark.integration
def test_within_the_shortlist_the_search_equals_the_old_exhaustive_one(
    client: redis.Redis,
) -> None:
    # Fewer stored articles than the shortlist holds: the first pass drops nothing, so the
    # candidates must be exactly those the old search over every vector picked.
    articles = passages(seed=5)
    index, baseline = Stories(client), BaselineStories(client)
    for _ in range(SHORTLIST // 2):
        index.assign(next(articles))
    for _ in range(5):
        query = next(articles)
        vector = np.asarray(query.enrichment.embedding, dtype=np.float32)
        new = index._candidates("en", vector, query.id, None)
        old = baseline._candidates("en", vector, query.id, None)
        assert len(new) == stories_module.CANDIDATES
        assert {i for i, _c in new} == {i for i, _c in old}
        assert [c for _i, c in new] == pytest.approx([c for _i, c in old], abs=1e-6)


@pytest.mark.integration
def test_articles_on_one_new_event_assigned_at_once_share_one_story(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Six outlets' copies of the two seeds, assigned by six threads; each waits after its
    # unlocked search until all six have searched, so every search misses all the others.
    articles = [
        enrich(seed_article(path, f"outlet-{n}")) for n in range(3) for path in seed_paths()
    ]
    searched = threading.Barrier(len(articles))
    search = StoryWindow.nearest

    def search_then_wait(window: StoryWindow, *args: Any) -> Nearest:
        found = search(window, *args)
        searched.wait(timeout=60)
        return found

    monkeypatch.setattr(StoryWindow, "nearest", search_then_wait)
    with ThreadPoolExecutor(max_workers=len(articles)) as pool:
        assigned = list(pool.map(Stories(client).assign, articles))
    assert len({article.enrichment.story_id for article in assigned}) == 1
