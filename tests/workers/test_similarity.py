"""Near-duplicates and stories, with their state in the session's real Redis."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery import Celery
from elasticsearch import Elasticsearch

from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK
from newsloom.schema import Article
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.supervision import wait_until
from tests.workers.private import private_redis
from tests.workers.seeds import corpus_bodies, seed_article, seed_paths
from workers.app import create_celery
from workers.enrichment import stories as stories_module
from workers.enrichment.duplicates import NearDuplicates, minhash
from workers.enrichment.pipeline import enrich
from workers.enrichment.stories import Stories

pytestmark = pytest.mark.integration

# What another outlet would wrap the same wire story in.
SITE_WRAPPER = (
    "Home | World | Asia Pacific\nSubscribe to our Daily Briefing newsletter\n"
    "Advertisement\nShare this story: Facebook Twitter Email"
)
# A database of its own, so articles other tests index do not join these groups.
PRIVATE_DB = 7


@pytest.fixture
def client(services: Settings) -> Iterator[redis.Redis]:
    """A client on an emptied private database of the session's Redis."""
    with private_redis(services, PRIVATE_DB) as connection:
        yield connection


def _seeds(source_id: str = "seed", wrapper: str = "") -> list[Article]:
    return [enrich(seed_article(path, source_id, wrapper)) for path in seed_paths()]


def test_minhash_sees_a_rewrapped_copy_as_near_identical() -> None:
    first, second = _seeds()
    (copy, _) = _seeds("mirror", SITE_WRAPPER)
    assert minhash(first.body).jaccard(minhash(copy.body)) > 0.8
    assert minhash(first.body).jaccard(minhash(second.body)) < 0.1


def test_a_rewrapped_copy_is_a_near_duplicate_and_the_seeds_are_not(
    client: redis.Redis,
) -> None:
    index = NearDuplicates(client)
    first, second = (index.assign(article) for article in _seeds())
    (copy, _) = _seeds("mirror", SITE_WRAPPER)
    copy = index.assign(copy)
    assert first.enrichment.duplicate_group == first.id
    assert second.enrichment.duplicate_group == second.id
    assert copy.enrichment.duplicate_group == first.id
    # A second run (a redelivered task) keeps the group.
    assert index.assign(copy).enrichment.duplicate_group == first.id
    assert copy.enrichment.stage_versions["duplicates"]


@pytest.fixture(scope="module")
def distractors() -> list[Article]:
    """The corpus bodies, enriched: 91 articles on every other subject."""
    return [enrich(article) for article in corpus_bodies()]


def test_the_seeds_share_a_story_and_are_each_others_top_related(
    client: redis.Redis, distractors: list[Article]
) -> None:
    stories = Stories(client)
    for article in distractors:
        stories.assign(article)
    first, second = (stories.assign(article) for article in _seeds())
    assert first.enrichment.story_id == second.enrichment.story_id
    assert first.enrichment.story_label
    assert "Choe Son-hui" in first.enrichment.story_label
    assert [r.article_id for r in stories.related(first.id)][:1] == [second.id]
    assert [r.article_id for r in stories.related(second.id)][:1] == [first.id]
    # Related, and clearly so: the best distractor scores far below.
    best, runner_up = stories.related(first.id, limit=2)
    assert best.score >= 0.6 > 0.45 >= runner_up.score, (best, runner_up)
    assert best.shared_names >= 5


def test_distractors_do_not_collapse_into_stories(
    client: redis.Redis, distractors: list[Article]
) -> None:
    stories = Stories(client)
    assigned = [stories.assign(article) for article in distractors]
    sizes = Counter(article.enrichment.story_id for article in assigned)
    # The corpus holds a few pages per event at most (two on one impeachment hearing, ...).
    assert max(sizes.values()) <= 4, sizes.most_common(3)
    assert len(sizes) >= 0.8 * len(assigned)


def test_a_near_duplicate_is_not_a_related_article(client: redis.Redis) -> None:
    duplicates, stories = NearDuplicates(client), Stories(client)
    first, second = (stories.assign(duplicates.assign(article)) for article in _seeds())
    (copy, _) = _seeds("mirror", SITE_WRAPPER)
    copy = stories.assign(duplicates.assign(copy))
    assert copy.enrichment.story_id == first.enrichment.story_id
    # The copy is the closest text there is, but says nothing new: the other seed comes first.
    assert [r.article_id for r in stories.related(first.id)] == [second.id]
    assert [r.article_id for r in stories.related(copy.id)] == [second.id]


def test_a_redelivered_article_keeps_its_story(client: redis.Redis) -> None:
    stories = Stories(client)
    first, second = (stories.assign(article) for article in _seeds())
    again = stories.assign(second)
    assert again.enrichment.story_id == second.enrichment.story_id == first.enrichment.story_id
    assert len(stories.related(first.id)) == 1


def test_an_unrelated_article_starts_its_own_story(client: redis.Redis) -> None:
    stories = Stories(client)
    for article in _seeds():
        stories.assign(article)
    other = Article(
        url="http://127.0.0.1/other",
        canonical_url="http://127.0.0.1/other",
        source_id="other",
        source_name="other",
        title="Japan's central bank holds rates as the yen weakens",
        body=(
            "The Bank of Japan kept its policy rate unchanged on Tuesday. Governor Kazuo Ueda "
            "said wage growth in Tokyo and Osaka would decide the timing of the next increase."
        ),
    )
    assigned = stories.assign(enrich(other))
    assert assigned.enrichment.story_id == other.id


def test_worker_links_a_syndicated_copy_and_keeps_the_seeds_apart(
    settings: Settings, es: Elasticsearch, worker: BackgroundProcess
) -> None:
    run = uuid.uuid4().hex[:8]
    articles = [seed_article(path, f"outlet-a-{run}") for path in seed_paths()]
    articles.append(seed_article(seed_paths()[0], f"outlet-b-{run}", SITE_WRAPPER))
    celery: Celery = create_celery(settings)
    for article in articles:
        celery.send_task(ENRICH_TASK, args=(article.model_dump(mode="json"),), queue=ENRICH_QUEUE)

    def indexed() -> bool:
        found = es.mget(index=settings.index_alias, ids=[a.id for a in articles])["docs"]
        return all(doc.get("found") for doc in found)

    assert wait_until(indexed, 90), "the worker did not index all three articles"
    docs = es.mget(index=settings.index_alias, ids=[a.id for a in articles])["docs"]
    first, second, copy = (doc["_source"]["enrichment"] for doc in docs)
    assert copy["duplicate_group"] == first["duplicate_group"]
    assert second["duplicate_group"] != first["duplicate_group"]
    assert first["story_id"] == second["story_id"] == copy["story_id"]
    assert first["story_label"]
    assert {"Choe Son-hui", "Sun Weidong"} <= {e["name"] for e in first["entities"]}


def test_the_story_index_keeps_only_the_window(
    client: redis.Redis, distractors: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories_module, "WINDOW", 5)
    index = Stories(client)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    english = [
        article.model_copy(update={"fetched_at": start + timedelta(minutes=n)})
        for n, article in enumerate(a for a in distractors if a.language == "en")
    ][:12]
    for article in english:
        index.assign(article)
    kept = [str(i) for i in client.zrange(stories_module._recent("en"), 0, -1)]
    assert kept == [article.id for article in english[-5:]]
    assert client.hlen(stories_module._PROFILES) == 5
    assert client.hlen(stories_module._VECTORS) == 5
    # Document frequencies count exactly the articles still in the window.
    profiles = [json.loads(str(raw)) for raw in client.hvals(stories_module._PROFILES)]
    expected = Counter(term for stored in profiles for term in stored["terms"])
    # ... and terms no article in the window uses are gone.
    frequencies = {t: int(n) for t, n in client.hgetall(stories_module._DF).items()}
    assert frequencies == dict(expected)
