"""Articles for search tests, built from the real pages of the shared publisher corpus.

Each corpus page comes with a human-checked title, lead, body and date; those become an
``Article`` as the crawler would produce it, so the tests index real text, not lorem ipsum.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsloom.schema import Article, Enrichment

__all__ = ["corpus_articles", "variants"]

# Corpus folders named by something other than an ISO 3166 code.
_COUNTRY_FIXES = {"uk": "GB", "ind": "IN", "isl": "IS", "gl": "GL"}


def _country(folder: str) -> str | None:
    code = _COUNTRY_FIXES.get(folder, folder.upper())
    return code if len(code) == 2 else None


def _lead(value: list[str] | str | None) -> str | None:
    paragraphs = value if isinstance(value, list) else [value or ""]
    joined = " ".join(paragraphs).strip()
    return joined or None


def corpus_articles(shared_dir: Path) -> list[Article]:
    """One article per corpus page that has a title and a body, sorted by URL."""
    articles = []
    for record_file in sorted((shared_dir / "corpus" / "publishers" / "dev").glob("*/*.json")):
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if not record.get("title") or not record.get("body"):
            continue
        country = _country(record_file.parent.name)
        published = datetime.fromisoformat(record["publishing_date"])
        articles.append(
            Article(
                url=record["url"],
                canonical_url=record["url"],
                source_id=record["publisher"].lower(),
                source_name=record["publisher"],
                title=record["title"],
                lead=_lead(record.get("lead")),
                authors=[str(a) for a in record.get("authors") or []],
                body=record["body"],
                published_at=published if published.tzinfo else published.replace(tzinfo=UTC),
                fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                enrichment=Enrichment(countries=[country] if country else []),
            )
        )
    return sorted(articles, key=lambda article: article.canonical_url)


def variants(base: list[Article], count: int) -> Iterator[Article]:
    """``count`` distinct articles made by cycling ``base`` with new URLs and dates."""
    for number in range(count):
        article = base[number % len(base)]
        url = f"{article.canonical_url}?variant={number}"
        yield article.model_copy(
            update={
                "url": url,
                "canonical_url": url,
                "published_at": (article.published_at or datetime(2026, 1, 1, tzinfo=UTC))
                + timedelta(hours=number),
            }
        )
