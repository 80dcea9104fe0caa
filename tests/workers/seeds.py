"""The seed articles and the gold file built from them, as test data."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from newsloom.schema import Article, Enrichment
from newsloom.settings import Settings

__all__ = [
    "CROSS_LANGUAGE_FILE",
    "GOLD_CORPUS_FILE",
    "GOLD_FILE",
    "corpus_bodies",
    "cross_language_pair",
    "dated_publisher_article",
    "gold",
    "gold_corpus",
    "plain_article",
    "publisher_article",
    "seed_article",
    "seed_paths",
]

GOLD_FILE = Path(__file__).resolve().parent.parent / "data" / "gold_seeds.json"
GOLD_CORPUS_FILE = GOLD_FILE.with_name("gold_corpus.json")
CROSS_LANGUAGE_FILE = GOLD_FILE.with_name("cross_language.json")


def seed_paths() -> list[Path]:
    """The seed text files, in name order."""
    return sorted((Settings().shared_dir / "seeds").glob("*.txt"))


def seed_article(path: Path, source_id: str = "seed", body_wrapper: str = "") -> Article:
    """A seed file as an article: first line the title, the rest the body.

    ``body_wrapper`` is text a different site would add around the same story (its own
    navigation, adverts and sign-off), for near-duplicate tests.
    """
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
    if body_wrapper:
        body = f"{body_wrapper}\n{body}\n{body_wrapper}"
    url = f"http://127.0.0.1/{source_id}/{path.stem}"
    return Article(
        url=url,
        canonical_url=url,
        source_id=source_id,
        source_name=source_id,
        title=title,
        body=body,
    )


def gold() -> list[dict[str, Any]]:
    """The gold annotations, one per seed."""
    articles: list[dict[str, Any]] = json.loads(GOLD_FILE.read_text(encoding="utf-8"))["articles"]
    return articles


def gold_corpus() -> list[dict[str, Any]]:
    """The gold annotations of the publisher-corpus pages, one per page."""
    text = GOLD_CORPUS_FILE.read_text(encoding="utf-8")
    articles: list[dict[str, Any]] = json.loads(text)["articles"]
    return articles


def corpus_bodies() -> list[Article]:
    """The article-extraction benchmark's human-written bodies (91 pages on every subject),
    as articles: the distractors similarity tests and the benchmark need."""
    corpus_dir = Settings().shared_dir / "corpus" / "article-bodies" / "dev"
    truth = json.loads((corpus_dir / "ground-truth.json").read_text(encoding="utf-8"))
    articles = []
    for page in truth.values():
        title, _, body = str(page["articleBody"]).strip().partition("\n")
        articles.append(
            Article(
                url=page["url"],
                canonical_url=page["url"],
                source_id="corpus",
                source_name="corpus",
                title=title[:200],
                body=body or title,
            )
        )
    return articles


def publisher_article(page: str) -> Article:
    """One page of the publisher corpus (``"tw/TaipeiTimes_2024_10_15"``) as an article,
    with the title and body a human extracted."""
    record_file = Settings().shared_dir / "corpus" / "publishers" / "dev" / f"{page}.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    return Article(
        url=record["url"],
        canonical_url=record["url"],
        source_id=page.split("/")[-1].split("_")[0].lower(),
        source_name=page.split("/")[-1].split("_")[0],
        title=record["title"],
        body=record["body"],
    )


def plain_article(
    body: str, *, title: str = "", language: str | None = "en", enrichment: Enrichment | None = None
) -> Article:
    """An article of one loopback page with just this text, for a single stage's tests."""
    return Article(
        url="http://127.0.0.1/a",
        canonical_url="http://127.0.0.1/a",
        source_id="test",
        source_name="Test",
        title=title,
        body=body,
        language=language,
        enrichment=enrichment or Enrichment(),
    )


def dated_publisher_article(page: str) -> Article:
    """A publisher-corpus page as :func:`publisher_article` makes it, dated as published."""
    record_file = Settings().shared_dir / "corpus" / "publishers" / "dev" / f"{page}.json"
    published = json.loads(record_file.read_text(encoding="utf-8"))["publishing_date"]
    return publisher_article(page).model_copy(
        update={"published_at": datetime.fromisoformat(published)}
    )


def cross_language_pair(page: str) -> tuple[Article, Article]:
    """A non-English publisher-corpus page, dated as it was published, and the English
    report on the same event written for the tests (``tests/data/cross_language.json``)."""
    native = dated_publisher_article(page)
    written = json.loads(CROSS_LANGUAGE_FILE.read_text(encoding="utf-8"))["articles"]
    english = next(entry for entry in written if entry["pairs_with"] == page)
    url = f"http://127.0.0.1/english/{page.replace('/', '-')}"
    counterpart = Article(
        url=url,
        canonical_url=url,
        source_id="english",
        source_name="english",
        title=english["title"],
        body=english["body"],
        published_at=datetime.fromisoformat(english["published_at"]),
    )
    return native, counterpart
