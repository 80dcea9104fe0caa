"""The seed articles and the gold file built from them, as test data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from newsloom.schema import Article
from newsloom.settings import Settings

__all__ = ["GOLD_FILE", "gold", "seed_article", "seed_paths"]

GOLD_FILE = Path(__file__).resolve().parent.parent / "data" / "gold_seeds.json"


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
