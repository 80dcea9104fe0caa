"""Cross-language story matching on entities alone: how the true pairs score and how many
unrelated pairs a rule would merge.

Run ``python -m bench.cross_language_stories`` (no services needed). Every non-English
publisher-corpus dev page, every other dev page and the article bodies are enriched, plus the
English reports written for the tests on the events of some of them
(``tests/data/cross_language.json``). For each true pair: the entity-profile cosine the story
index would compute, the names shared, and the English report's rank among all articles in
another language than the page. Then, for each rule, the unrelated cross-language pairs it
would merge with no time window at all, and how many of the dated ones lie within the days.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from itertools import combinations

from rich.console import Console
from rich.table import Table

from newsloom.schema import Article
from newsloom.settings import Settings
from tests.workers.seeds import (
    CROSS_LANGUAGE_FILE,
    corpus_bodies,
    cross_language_pair,
    dated_publisher_article,
)
from workers.enrichment import stories
from workers.enrichment.pipeline import enrich

__all__ = ["main"]

console = Console(highlight=False)


def _articles() -> tuple[dict[str, Article], list[tuple[str, str]]]:
    """Every corpus article by name, and the (page, English report) pairs among them."""
    dev = Settings().shared_dir / "corpus" / "publishers" / "dev"
    articles = {
        f"{f.parent.name}/{f.stem}": enrich(dated_publisher_article(f"{f.parent.name}/{f.stem}"))
        for f in sorted(dev.glob("*/*.json"))
    }
    articles.update({f"bodies/{n}": enrich(a) for n, a in enumerate(corpus_bodies())})
    pairs = []
    for entry in json.loads(CROSS_LANGUAGE_FILE.read_text(encoding="utf-8"))["articles"]:
        page = entry["pairs_with"]
        articles[f"english:{page}"] = enrich(cross_language_pair(page)[1])
        pairs.append((page, f"english:{page}"))
    return articles, pairs


def _days_apart(left: Article, right: Article) -> float | None:
    if left.published_at is None or right.published_at is None:
        return None
    return abs((left.published_at - right.published_at).total_seconds()) / 86400


def main() -> None:
    """Enrich the corpus, score every cross-language pair and print the two tables."""
    articles, pairs = _articles()
    profiles = {name: stories.profile(article) for name, article in articles.items()}
    frequencies = Counter(term for terms in profiles.values() for term in terms)
    idf = {
        term: 1.0 + math.log((len(profiles) + 1) / (count + 1))
        for term, count in frequencies.items()
    }

    def score(left: str, right: str) -> tuple[float, int]:
        entities = stories.comparable(profiles[left], profiles[right])
        shared = stories._shared_names(profiles[left], profiles[right])
        return stories._cosine(*entities, idf), shared

    table = Table(title="true cross-language pairs: entity profile cosine")
    for column in ("page", "language", "cosine", "names shared", "rank"):
        table.add_column(column, justify="right")
    for page, english in pairs:
        others = [n for n, a in articles.items() if a.language != articles[page].language]
        ranked = sorted(others, key=lambda name: -score(page, name)[0])
        cosine, shared = score(page, english)
        table.add_row(
            page,
            str(articles[page].language),
            f"{cosine:.3f}",
            str(shared),
            f"{ranked.index(english) + 1}/{len(ranked)}",
        )
    console.print(table)

    true = set(pairs) | {(b, a) for a, b in pairs}
    unrelated = [
        (a, b, *score(a, b))
        for a, b in combinations(articles, 2)
        if articles[a].language != articles[b].language and (a, b) not in true
    ]
    rules = Table(title=f"unrelated cross-language pairs ({len(unrelated):,}) a rule would merge")
    for column in ("rule", "merged, no time window", "dated", f"within {stories.EVENT_DAYS} days"):
        rules.add_column(column, justify="right")
    for threshold, names in ((stories.THRESHOLD, 2), (stories.ACROSS_THRESHOLD, 3), (0.35, 2)):
        merged = [
            (a, b) for a, b, cosine, shared in unrelated if cosine >= threshold and shared >= names
        ]
        days = [
            d for d in (_days_apart(articles[a], articles[b]) for a, b in merged) if d is not None
        ]
        within = sum(1 for d in days if d <= stories.EVENT_DAYS)
        rules.add_row(
            f"cosine >= {threshold}, {names} names", str(len(merged)), str(len(days)), str(within)
        )
    console.print(rules)


if __name__ == "__main__":
    main()
