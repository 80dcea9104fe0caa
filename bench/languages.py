"""Geotagging and keywords per language: ms per 700-word article, and the memory they add.

Run ``python -m bench.languages`` (needs the shared corpus). For each language, one corpus
article in it is cut to 700 words (Japanese and Chinese words as their analyser counts them)
and, once through the entity stage, through geotagging and keywords ``--rounds`` times. The
baseline per language, measured in the same run on the same text, is the method replaced:
regex words with English stopwords for keywords, and the watch list alone for places and
countries. Memory is the process's resident set before and after each data set and analyser
first loads, in the order a worker meets them.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench.enrichment import _rss_mib
from newsloom.schema import Article, Keyword, Place
from newsloom.settings import get_settings
from workers.enrichment.entities import extract_entities
from workers.enrichment.gazetteer import load_gazetteer
from workers.enrichment.geotag import geotag
from workers.enrichment.keywords import extract_keywords
from workers.enrichment.language import language_of
from workers.enrichment.places import native_country_names, place_index
from workers.enrichment.segment import segment
from workers.enrichment.text import content_words

__all__ = ["main"]

console = Console(highlight=False)
_WORDS = 700
_NATIVE = ("ko", "ja", "zh", "ru")
_LANGUAGES = ("en", *_NATIVE)


def _cut(body: str, language: str) -> str:
    """The first ``_WORDS`` words of ``body``."""
    words = segment(body, language)
    if language in {"ja", "zh"} and words:
        counted = [word for word in words if any(char.isalnum() for char in word.surface)]
        return body[: counted[min(_WORDS, len(counted)) - 1].end]
    return " ".join(body.split()[:_WORDS])


def _articles(shared_dir: Path) -> dict[str, Article]:
    """The longest corpus article in each language, cut to 700 words."""
    longest: dict[str, tuple[int, dict[str, str]]] = {}
    for record_file in sorted((shared_dir / "corpus/publishers/dev").glob("*/*.json")):
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if not record.get("body"):
            continue
        language = language_of(f"{record['title']}\n{record['body'][:10_000]}")
        if language in _LANGUAGES and len(record["body"]) > longest.get(language, (0, {}))[0]:
            longest[language] = (len(record["body"]), record)
    return {
        language: Article(
            url=record["url"],
            canonical_url=record["url"],
            source_id="bench",
            source_name="bench",
            title=record["title"],
            body=_cut(record["body"], language),
            language=language,
        )
        for language, (_size, record) in longest.items()
    }


def _baseline(article: Article) -> Article:
    """The replaced method: regex words for keywords, the watch list for places."""
    gazetteer = load_gazetteer()
    counts = Counter(content_words(f"{article.title}\n{article.body}"))
    places = []
    for entity in article.enrichment.entities:
        entry = gazetteer.by_name.get(entity.name)
        if entity.type == "place":
            places.append(Place(name=entity.name, country_code=entry.country if entry else None))
    keywords = [Keyword(term=term, score=count) for term, count in counts.most_common(12)]
    enrichment = article.enrichment.model_copy(update={"places": places, "keywords": keywords})
    return article.model_copy(update={"enrichment": enrichment})


def _new(article: Article) -> Article:
    return extract_keywords(geotag(article))


def _ms(stage: Callable[[Article], Article], article: Article, rounds: int) -> float:
    start = time.perf_counter()
    for n in range(rounds):
        # A fresh body each round, so the analyser's cache of recent texts does not help.
        stage(article.model_copy(update={"body": f"{article.body}\n{n}"}))
    return 1000 * (time.perf_counter() - start) / rounds


def _memory() -> Table:
    table = Table(title="Resident memory added on first use (MiB)")
    table.add_column("loaded")
    table.add_column("added", justify="right")
    table.add_column("total", justify="right")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("GeoNames/ISO/CLDR place index", place_index),
        *((f"{code} analyser", partial(segment, "北朝鮮 КНДР 북한", code)) for code in _NATIVE),
        *((f"{code} country names", partial(native_country_names, code)) for code in _NATIVE),
    ]
    start = _rss_mib()
    for label, load in steps:
        before = _rss_mib()
        load()
        table.add_row(label, f"{_rss_mib() - before:.1f}", f"{_rss_mib() - start:.1f}")
    return table


def main(
    rounds: Annotated[int, typer.Option(min=1, help="Runs per article and method.")] = 20,
) -> None:
    """Print ms per 700-word article per language, against the replaced method, and memory."""
    console.print(_memory())
    table = Table(title=f"Geotag + keywords, ms per {_WORDS}-word article")
    for column in ("language", "baseline ms", "new ms", "ratio", "countries", "keywords"):
        table.add_column(column, justify="left" if column in {"language", "keywords"} else "right")
    for language, article in sorted(_articles(get_settings().shared_dir).items()):
        with_entities = extract_entities(article)
        baseline = _ms(_baseline, with_entities, rounds)
        new = _ms(_new, with_entities, rounds)
        result = _new(with_entities).enrichment
        terms = ", ".join(keyword.term for keyword in result.keywords[:6])
        countries = ",".join(result.countries)
        ratio = f"{new / baseline:.1f}x"
        table.add_row(language, f"{baseline:.2f}", f"{new:.2f}", ratio, countries, terms)
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
