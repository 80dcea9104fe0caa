"""Stories across languages: a Japanese report and an English one on the same event, with the
story index's state in the session's real Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis

from newsloom.schema import Article
from newsloom.settings import Settings
from tests.workers.private import private_redis
from tests.workers.seeds import (
    corpus_bodies,
    cross_language_pair,
    dated_publisher_article,
    publisher_article,
)
from workers.enrichment import stories as stories_module
from workers.enrichment.pipeline import enrich
from workers.enrichment.stories import Stories

pytestmark = pytest.mark.integration

# A database of its own, so articles other tests index stay out of these stories.
PRIVATE_DB = 12
MARTIAL_LAW = "jp/YomiuriShimbun_2024_12_03"
CEASEFIRE = "jp/MainichiShimbun_2025_01_14"
# Pages on other events, in the same languages as the pair and in others.
OTHER_PAGES = [
    "jp/AsahiShimbun_2025_01_13",
    "jp/Nikkei_2025_01_27",
    "kr/HankookIlbo_2026_01_29",
    "kr/HankookIlbo_2026_07_12",
]


@pytest.fixture
def client(services: Settings) -> Iterator[redis.Redis]:
    """A client on an emptied private database of the session's Redis."""
    with private_redis(services, PRIVATE_DB) as connection:
        yield connection


@pytest.fixture(scope="module")
def pair() -> tuple[Article, Article]:
    """The Japanese martial-law report and the English one, enriched."""
    japanese, english = cross_language_pair(MARTIAL_LAW)
    return enrich(japanese), enrich(english)


@pytest.fixture(scope="module")
def others() -> list[Article]:
    """Articles on other events: other Japanese and Korean pages, and English corpus bodies,
    all dated the same day as the pair, so only the names can keep them apart."""
    japanese, _ = cross_language_pair(MARTIAL_LAW)
    pages = [publisher_article(page) for page in OTHER_PAGES] + corpus_bodies()[:40]
    return [
        enrich(page).model_copy(update={"published_at": japanese.published_at}) for page in pages
    ]


def test_the_pair_shares_canonical_names_and_no_embedding(pair: tuple[Article, Article]) -> None:
    japanese, english = pair
    assert (japanese.language, english.language) == ("ja", "en")
    # What the cross-language match rests on: the same canonical person and city.
    shared = {e.name for e in japanese.enrichment.entities} & {
        e.name for e in english.enrichment.entities
    }
    assert {"Yoon Suk-yeol", "Seoul"} <= shared
    assert japanese.enrichment.embedding is None


def test_a_japanese_and_an_english_report_on_one_event_share_a_story(
    client: redis.Redis, pair: tuple[Article, Article], others: list[Article]
) -> None:
    stories = Stories(client)
    for article in others:
        stories.assign(article)
    japanese, english = (stories.assign(article) for article in pair)
    assert english.enrichment.story_id == japanese.enrichment.story_id == japanese.id
    assert "Yoon Suk-yeol" in str(japanese.enrichment.story_label)
    # Related coverage crosses the languages both ways, and nothing else joined the story.
    assert [r.article_id for r in stories.related(japanese.id)][:1] == [english.id]
    assert [r.article_id for r in stories.related(english.id)][:1] == [japanese.id]
    stored = [json.loads(str(raw)) for raw in client.hvals(stories_module._PROFILES)]
    assert sum(1 for p in stored if p["story"] == japanese.id) == 2


def test_names_only_one_side_can_write_are_left_out_across_languages() -> None:
    japanese = {"e:Hamas": 4.0, "e:Qatar": 2.0, "e:松岡大地": 2.0, "e:ハマス幹部": 2.0}
    english = {"e:Hamas": 6.0, "e:Qatar": 3.0, "e:Axios": 2.0, "k:ceasefire": 1.0}
    left, right = stories_module.comparable(japanese, english)
    assert left == {"e:Hamas": 4.0, "e:Qatar": 2.0}
    assert right == {"e:Hamas": 6.0, "e:Qatar": 3.0, "e:Axios": 2.0}
    # Between two languages that both write kanji, kanji names may meet.
    chinese = {"e:Hamas": 1.0, "e:松岡大地": 1.0}
    kept = set(stories_module.comparable(japanese, chinese)[0])
    assert kept == {"e:Hamas", "e:Qatar", "e:松岡大地"}


def test_a_japanese_report_naming_its_own_people_joins_the_english_one(
    client: redis.Redis, others: list[Article]
) -> None:
    # The Japanese ceasefire report also names its reporters and kana spellings the English
    # one cannot share; the names both can write decide.
    japanese, english = (enrich(a) for a in cross_language_pair(CEASEFIRE))
    stories = Stories(client)
    for article in others:
        stories.assign(article)
    first = stories.assign(japanese)
    assert stories.assign(english).enrichment.story_id == first.enrichment.story_id


def test_the_english_report_first_still_draws_the_japanese_one_in(
    client: redis.Redis, pair: tuple[Article, Article]
) -> None:
    japanese, english = pair
    stories = Stories(client)
    first = stories.assign(english)
    assert stories.assign(japanese).enrichment.story_id == first.id


def test_a_korean_report_joins_the_english_one_and_not_the_same_names_a_year_on(
    client: redis.Redis, others: list[Article]
) -> None:
    korean, english = (enrich(a) for a in cross_language_pair("kr/HankookIlbo_2025_05_15"))
    # The same party and candidate a year later, at another party convention.
    later = enrich(dated_publisher_article("kr/HankookIlbo_2026_07_12"))
    shared = {e.name for e in korean.enrichment.entities} & {
        e.name for e in english.enrichment.entities
    }
    assert {"Lee Jae-myung", "Democratic Party of Korea", "People Power Party"} <= shared
    stories = Stories(client)
    for article in others:
        if article.id != later.id:
            stories.assign(article)
    stories.assign(later)
    # Names alone decide between Korean pages (no embedding): the same party and candidate
    # took the year-later page's story before the days counted.
    first = stories.assign(korean)
    assert first.enrichment.story_id == korean.id
    assert stories.assign(english).enrichment.story_id == korean.id


def test_the_same_names_weeks_apart_are_another_event(
    client: redis.Redis, pair: tuple[Article, Article]
) -> None:
    japanese, english = pair
    assert english.published_at is not None
    later = english.published_at + timedelta(days=stories_module.EVENT_DAYS + 1)
    stories = Stories(client)
    stories.assign(japanese)
    moved = stories.assign(english.model_copy(update={"published_at": later}))
    assert moved.enrichment.story_id == english.id


def test_other_events_in_other_languages_start_their_own_stories(
    client: redis.Redis, pair: tuple[Article, Article], others: list[Article]
) -> None:
    stories = Stories(client)
    japanese = stories.assign(pair[0])
    joined = [
        article.id
        for article in others
        if stories.assign(article).enrichment.story_id == japanese.id
    ]
    assert joined == []


def test_articles_leaving_the_window_leave_the_name_index(
    client: redis.Redis, pair: tuple[Article, Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories_module, "WINDOW", 1)
    japanese, english = pair
    stories = Stories(client)
    stories.assign(japanese)
    # A second Japanese article pushes the first out of the window.
    stories.assign(enrich(publisher_article(OTHER_PAGES[0])))
    assert client.zscore(stories_module._named("ja", "e:Yoon Suk-yeol"), japanese.id) is None
    assert stories.assign(english).enrichment.story_id == english.id
