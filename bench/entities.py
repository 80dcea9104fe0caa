"""Entity benchmark: strict-span scores on CoNLL-2003 and recall, merges and precision on
hand-labelled news pages, for the model-backed recogniser and the rules it replaced.

``python -m bench.entities --conll FILE`` scores PER/ORG/LOC spans (MISC ignored) on a
CoNLL-2003 file (IOB1 or IOB2 tags, last column; ``-DOCSTART-`` lines split documents,
without them every 20 sentences make one); the last line printed holds ``F1=``.
``--gold FILE --pages DIR`` extracts each ``DIR/<cc>/<stem>.html.gz`` with the crawler's
extractor, enriches it fully and scores the entities against the gold JSON; it also times
the entity stage (articles/s, ms per article) and reports the worker's RSS. The baseline,
in the same run, is the rules-only recogniser (``rules``) with the same watch list.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.enrichment import _rss_mib
from crawler.extraction.fields import extract_fields
from newsloom.schema import Article, Entity, EntityType
from workers.enrichment.entities import (
    Recogniser,
    article_entities,
    find_mentions,
    recogniser_for,
)
from workers.enrichment.gazetteer import load_gazetteer, normalise
from workers.enrichment.language import identify_language
from workers.enrichment.pipeline import enrich
from workers.enrichment.recogniser import recognise
from workers.enrichment.segment import segment

__all__ = ["Document", "conll_scores", "gold_articles", "gold_scores", "main", "read_conll"]

console = Console(highlight=False, width=200)
_CONLL_TYPES: dict[EntityType, str] = {"person": "PER", "organization": "ORG", "place": "LOC"}
_GOLD_TYPES: dict[str, EntityType] = {
    "PERSON": "person",
    "ORG": "organization",
    "PLACE": "place",
    "WEAPON": "weapon",
}
_SENTENCES_PER_DOCUMENT = 20
_METHODS: tuple[Recogniser, ...] = ("model", "rules")


@dataclass
class Document:
    """One CoNLL document as text (sentences on lines, tokens spaced) and its gold spans."""

    lines: list[str] = field(default_factory=list)
    spans: set[tuple[int, int, str]] = field(default_factory=set)

    @property
    def text(self) -> str:
        """The document's text."""
        return "\n".join(self.lines)


def _sentence_spans(
    tokens: list[str], tags: list[str], offset: int
) -> Iterator[tuple[int, int, str]]:
    """Entity spans of one sentence; IOB1 and IOB2 both start an entity on ``B-`` or on an
    ``I-`` whose type differs from the previous tag's."""
    start: int | None = None
    kind = ""
    position = offset
    end = offset
    for token, tag in [*zip(tokens, tags, strict=True), ("", "O")]:
        prefix, _, label = tag.partition("-")
        begins = prefix == "B" or (prefix == "I" and label != kind)
        if start is not None and (tag == "O" or begins):
            if kind in {"PER", "ORG", "LOC"}:
                yield start, end, kind
            start, kind = None, ""
        if tag != "O" and (begins or start is None):
            start, kind = position, label
        end = position + len(token)
        position = end + 1


def _documents_of(path: Path) -> Iterator[list[list[tuple[str, str]]]]:
    """The file's documents as sentences of (token, tag)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    marked = any(line.startswith("-DOCSTART-") for line in lines)
    document: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    for line in [*lines, ""]:
        if line.startswith("-DOCSTART-") or not line.strip():
            if sentence:
                document.append(sentence)
                sentence = []
            cut = (
                line.startswith("-DOCSTART-")
                if marked
                else len(document) == _SENTENCES_PER_DOCUMENT
            )
            if cut and document:
                yield document
                document = []
            continue
        parts = line.split()
        sentence.append((parts[0], parts[-1]))
    if document:
        yield document


def read_conll(path: Path) -> list[Document]:
    """The documents of a CoNLL-2003 file (gzip or plain)."""
    documents = []
    for sentences in _documents_of(path):
        document = Document()
        for sentence in sentences:
            offset = len(document.text) + (1 if document.lines else 0)
            tokens = [token for token, _tag in sentence]
            tags = [tag for _token, tag in sentence]
            document.spans.update(_sentence_spans(tokens, tags, offset))
            document.lines.append(" ".join(tokens))
        documents.append(document)
    return documents


def _prf(hits: int, found: int, expected: int) -> tuple[float, float, float]:
    precision = hits / found if found else 0.0
    recall = hits / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def conll_scores(documents: Sequence[Document], recogniser: Recogniser) -> dict[str, Any]:
    """Strict span precision, recall and F1 per type and overall, and the time taken."""
    started = time.perf_counter()
    found = find_mentions([[d.text] for d in documents], recogniser=recogniser)
    seconds = time.perf_counter() - started
    predicted = [
        {
            (m.start, m.end, _CONLL_TYPES[m.type])
            for m in mentions
            if m.type in _CONLL_TYPES and not m.demonym
        }
        for ((mentions,),) in ((f,) for f in found)
    ]
    scores: dict[str, Any] = {"seconds": seconds}
    for kind in ("PER", "ORG", "LOC", "all"):
        hits = found_count = expected = 0
        for document, spans in zip(documents, predicted, strict=True):
            gold = {s for s in document.spans if kind in {"all", s[2]}}
            mine = {s for s in spans if kind in {"all", s[2]}}
            hits += len(gold & mine)
            found_count += len(mine)
            expected += len(gold)
        scores[kind] = _prf(hits, found_count, expected)
    return scores


def _conll_table(path: Path) -> str:
    documents = read_conll(path)
    table = Table(
        title=f"CoNLL-2003 strict spans, PER/ORG/LOC: {path.name}, {len(documents)} documents"
    )
    for column in ("method", "type", "P", "R", "F1", "seconds"):
        table.add_column(column, justify="right" if column not in {"method", "type"} else "left")
    last = ""
    for method in _METHODS:
        scores = conll_scores(documents, method)
        for kind in ("PER", "ORG", "LOC", "all"):
            p, r, f1 = scores[kind]
            seconds = f"{scores['seconds']:.1f}" if kind == "all" else ""
            table.add_row(method, kind, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}", seconds)
        if method == "model":
            p, r, f1 = scores["all"]
            last = f"model P={p:.3f} R={r:.3f} F1={f1:.3f}"
    console.print(table)
    return last


def _page_article(pages: Path, key: str) -> Article:
    page = pages / f"{key}.html.gz"
    record = page.with_name(page.name.removesuffix(".html.gz") + ".json")
    url = (
        json.loads(record.read_text(encoding="utf-8"))["url"]
        if record.exists()
        else f"http://127.0.0.1/{key}"
    )
    html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
    fields = extract_fields(html, url)
    return Article(
        url=url,
        canonical_url=url,
        source_id=key.split("/")[0],
        source_name=key,
        title=fields.title or "",
        body=fields.body or "",
        language=fields.language,
    )


def _matches(entity: Entity, entity_type: EntityType, key: str, surfaces: Sequence[str]) -> bool:
    if entity.type != entity_type:
        return False
    names = {normalise(key), *map(normalise, surfaces)}
    if normalise(entity.name) in names or names & set(map(normalise, entity.surface_forms)):
        return True
    entry = load_gazetteer().by_name.get(entity.name)
    return entry is not None and entry.is_country and entry.country == key


@dataclass
class PageScore:
    """Counts for one page: gold entities found, merges checked and right, entities found
    and right, with what was missed, split or extra."""

    expected: dict[str, int] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    merges: int = 0
    merged: int = 0
    found: int = 0
    right: int = 0
    missed: list[str] = field(default_factory=list)
    split: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    language: str | None = None


def score_page(
    gold: dict[str, dict[str, list[str]]], article: Article, entities: list[Entity]
) -> PageScore:
    """One page's entities scored against its gold labels."""
    score = PageScore()
    text = f"{article.title}\n{article.body}"
    labelled = [
        (_GOLD_TYPES[kind], key, surfaces)
        for kind, items in gold.items()
        for key, surfaces in items.items()
    ]
    for entity_type, key, surfaces in labelled:
        score.expected[entity_type] = score.expected.get(entity_type, 0) + 1
        owners = [e for e in entities if _matches(e, entity_type, key, surfaces)]
        if not owners:
            score.missed.append(f"{entity_type}:{key}")
            continue
        score.hits[entity_type] = score.hits.get(entity_type, 0) + 1
        present = [s for s in surfaces if s in text]
        if len(present) > 1:
            score.merges += 1
            if len(owners) == 1 and set(map(normalise, present)) <= set(
                map(normalise, owners[0].surface_forms)
            ):
                score.merged += 1
            else:
                score.split.append(f"{key}: {[o.surface_forms for o in owners]}")
    for entity in entities:
        score.found += 1
        if any(_matches(entity, t, k, s) for t, k, s in labelled):
            score.right += 1
        else:
            score.extra.append(f"{entity.type}:{entity.name}")
    return score


@dataclass
class StageTime:
    """The entity stage's CPU seconds and the body words of a group of pages."""

    seconds: float = 0.0
    words: int = 0
    pages: int = 0

    def add(self, seconds: float, article: Article) -> None:
        """Count ``seconds`` spent on ``article``."""
        self.seconds += seconds
        self.words += _body_words(article)
        self.pages += 1

    def per_article_ms(self) -> float:
        """CPU milliseconds per article."""
        return 1000 * self.seconds / max(self.pages, 1)

    def per_700_words_ms(self) -> float:
        """CPU milliseconds per 700 body words."""
        return 1000 * self.seconds * 700 / max(self.words, 1)


def _body_words(article: Article) -> int:
    """Body words as the language's analyser splits them (CJK text has no spaces)."""
    words = segment(article.body, article.language)
    return len(words) if words is not None else len(article.body.split())


def _group(language: str | None) -> str:
    return "en" if language == "en" else "ko/ja/zh/ru"


def gold_articles(gold: dict[str, Any], pages: Path) -> dict[str, Article]:
    """Each gold page extracted and enriched, once for every method scored on it."""
    return {key: enrich(_page_article(pages, key)) for key in gold}


def gold_scores(
    gold: dict[str, Any], articles: dict[str, Article], recogniser: Recogniser
) -> tuple[dict[str, PageScore], dict[str, StageTime]]:
    """Each page's score, and the entity stage's time and words per group of pages."""
    scores: dict[str, PageScore] = {}
    times: dict[str, StageTime] = {}
    for key, labels in gold.items():
        article = articles[key]
        chosen = recogniser_for(article.language) if recogniser == "model" else recogniser
        # CPU time: on a shared machine wall time counts other processes' turns too.
        started = time.process_time()
        entities = article_entities(article, chosen)
        spent = times.setdefault(_group(article.language), StageTime())
        spent.add(time.process_time() - started, article)
        scores[key] = score_page(labels, article, entities)
        scores[key].language = article.language
    return scores, times


def _model_alone(articles: dict[str, Article]) -> StageTime:
    """CPU time of the recogniser's model alone on the English pages' title and body."""
    spent = StageTime()
    for article in articles.values():
        if _group(article.language) != "en":
            continue
        started = time.process_time()
        recognise([article.title, article.body])
        spent.add(time.process_time() - started, article)
    return spent


def _gold_table(gold_file: Path, pages: Path) -> None:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    table = Table(title=f"Gold pages ({len(gold)}): recall per type, merges, precision")
    for column in (
        "method",
        "pages",
        "person",
        "organization",
        "place",
        "weapon",
        "recall",
        "merges",
        "precision",
        "CPU ms/article",
        "CPU ms/700 words",
        "articles/s",
        "RSS MiB",
    ):
        table.add_column(column, justify="left" if column in {"method", "pages"} else "right")
    details: list[str] = []
    articles = gold_articles(gold, pages)
    for method in _METHODS:
        scores, times = gold_scores(gold, articles, method)
        rss = _rss_mib()
        for group in ("en", "ko/ja/zh/ru"):
            chosen = {k: s for k, s in scores.items() if _group(s.language) == group}
            if not chosen:
                continue
            cells = []
            for entity_type in ("person", "organization", "place", "weapon"):
                hits = sum(s.hits.get(entity_type, 0) for s in chosen.values())
                expected = sum(s.expected.get(entity_type, 0) for s in chosen.values())
                cells.append(f"{hits}/{expected}" if expected else "-")
            hits = sum(sum(s.hits.values()) for s in chosen.values())
            expected = sum(v for s in chosen.values() for v in s.expected.values())
            merges = sum(s.merges for s in chosen.values())
            merged = sum(s.merged for s in chosen.values())
            found = sum(s.found for s in chosen.values())
            right = sum(s.right for s in chosen.values())
            table.add_row(
                method,
                f"{group} ({len(chosen)})",
                *cells,
                f"{hits / expected:.2f}",
                f"{merged}/{merges}" if merges else "-",
                f"{right / found:.2f}" if found else "-",
                f"{times[group].per_article_ms():.1f}",
                f"{times[group].per_700_words_ms():.1f}",
                f"{1000 / max(times[group].per_article_ms(), 1e-9):.0f}",
                f"{rss:.0f}",
            )
            for key, s in chosen.items():
                details.append(
                    f"{method} {key} ({s.language}): missed {s.missed}; "
                    f"split {s.split}; extra {s.extra}"
                )
    console.print(table)
    console.print(
        "entity stage CPU time, one process, one article at a time; words as each "
        "language's analyser splits them"
    )
    floor = _model_alone(articles)
    console.print(
        f"the spaCy model alone on the same English texts (the stage's floor): "
        f"{floor.per_700_words_ms():.1f} CPU ms/700 words, {floor.per_article_ms():.1f} ms/article"
    )
    for line in details:
        console.print(line, soft_wrap=True)


def _entities_only(gold_file: Path, pages: Path) -> None:
    """The entity stage alone (after language identification, which it reads) on every
    page: what it costs a process in memory, with the model and every analyser loaded."""
    for key in json.loads(gold_file.read_text(encoding="utf-8")):
        article = identify_language(_page_article(pages, key))
        article_entities(article, recogniser_for(article.language))
    console.print(f"RSS of a process running only the entity stage: {_rss_mib():.0f} MiB")


def _entity_stage_rss(gold_file: Path, pages: Path) -> str:
    """The last line of :func:`_entities_only`, run in a fresh process."""
    command = [sys.executable, "-m", "bench.entities", "--entities-only"]
    command += ["--gold", str(gold_file), "--pages", str(pages)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        return f"entity stage alone failed: {done.stderr[-500:]}"
    return done.stdout.strip().splitlines()[-1]


def main(
    conll: Annotated[Path | None, typer.Option(help="A CoNLL-2003 file (.txt or .txt.gz).")] = None,
    gold: Annotated[
        Path | None, typer.Option(help="Gold entities JSON (see the module doc).")
    ] = None,
    pages: Annotated[
        Path | None, typer.Option(help="Directory of <cc>/<stem>.html.gz pages.")
    ] = None,
    entities_only: Annotated[
        bool, typer.Option(help="Only run the entity stage on the pages and print the RSS.")
    ] = False,
) -> None:
    """Score the entity stage on CoNLL-2003 and/or gold-labelled pages."""
    console.print(f"RSS after imports: {_rss_mib():.0f} MiB")
    if conll is None and gold is None:
        raise typer.BadParameter("give --conll FILE and/or --gold FILE --pages DIR")
    if gold is not None:
        if pages is None:
            raise typer.BadParameter("--gold needs --pages DIR (the pages it labels)")
        if entities_only:
            _entities_only(gold, pages)
            return
        _gold_table(gold, pages)
        console.print(f"RSS with the model and every stage loaded: {_rss_mib():.0f} MiB")
        console.print(_entity_stage_rss(gold, pages))
    if conll is not None:
        console.print(_conll_table(conll))


if __name__ == "__main__":
    typer.run(main)
