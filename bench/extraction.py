"""Extraction benchmark: newsloom's extractor against trafilatura on the shared corpus.

Run ``python -m bench.extraction`` (defaults: the dev halves under ``$NEWSLOOM_SHARED_DIR/corpus``).
Bodies are scored with the article-extraction-benchmark's shingle metric (4-token shingles,
per-page precision and recall averaged over pages, F1 of the averages); publisher pages also
get title exact match, publishing date to the day and authors set F1. ``--out`` writes every
page's extracted fields so others can score them with their own tools.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated

import trafilatura
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from crawler.extraction.fields import ExtractedFields, extract_fields
from newsloom.settings import get_settings

__all__ = ["Score", "body_scores", "load_pages", "main", "shingle_counts"]

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4


@dataclass(frozen=True)
class Page:
    """One corpus page and what a human says it holds."""

    key: str
    url: str
    html: str
    body: str
    title: str | None = None
    authors: tuple[str, ...] | None = None
    published: datetime | None = None


@dataclass
class Score:
    """Running per-page scores of one extractor on one corpus set."""

    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    authors: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def body_f1(self) -> float:
        """F1 of the averaged precision and recall, as the benchmark defines it."""
        p, r = _mean(self.precision), _mean(self.recall)
        return 2 * p * r / (p + r) if p + r else 0.0


def _mean(values: list[float] | list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def shingle_counts(text: str) -> Counter[str]:
    """4-token shingles of ``text`` (one shingle of all tokens when there are fewer)."""
    tokens = _TOKEN.findall(text or "")
    count = max(1, len(tokens) - _SHINGLE + 1)
    shingles = (" ".join(tokens[i : i + _SHINGLE]) for i in range(count))
    return Counter(shingle for shingle in shingles if shingle)


def body_scores(expected: str, extracted: str) -> tuple[float, float]:
    """Per-page (precision, recall) over shingle multisets; empty vs empty is perfect."""
    truth, found = shingle_counts(expected), shingle_counts(extracted)
    tp = sum((truth & found).values())
    fp = sum((found - truth).values())
    fn = sum((truth - found).values())
    if tp + fp + fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def _authors_f1(expected: tuple[str, ...], found: list[str]) -> float:
    truth = {" ".join(name.split()).casefold() for name in expected}
    got = {" ".join(name.split()).casefold() for name in found}
    if not truth and not got:
        return 1.0
    hits = len(truth & got)
    return 2 * hits / (len(truth) + len(got))


def _same_day(expected: datetime | None, found: datetime | None) -> bool:
    if expected is None or found is None:
        return expected is found
    if expected.tzinfo is not None and found.tzinfo is not None:
        found = found.astimezone(expected.tzinfo)
    return expected.date() == found.date()


def _read_html(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes())
    # Corpus pages are saved as served; UTF-8 is right for nearly all of them, and a wrong
    # guess only costs this page's score, not the run.
    return raw.decode("utf-8", errors="replace")


def _bodies_pages(directory: Path) -> Iterator[Page]:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    for key, expected in sorted(truth.items()):
        html = _read_html(directory / f"{key}.html.gz")
        yield Page(key, expected["url"], html, expected["articleBody"])


def _publisher_pages(directory: Path) -> Iterator[Page]:
    for meta_path in sorted(directory.rglob("*.json")):
        html_path = meta_path.with_name(meta_path.name.removesuffix(".json") + ".html.gz")
        if not html_path.exists():
            continue
        expected = json.loads(meta_path.read_text(encoding="utf-8"))
        date = expected.get("publishing_date")
        yield Page(
            key=str(meta_path.relative_to(directory).with_suffix("")),
            url=expected["url"],
            html=_read_html(html_path),
            body=expected.get("body") or "",
            title=expected.get("title"),
            authors=tuple(expected.get("authors") or ()),
            published=datetime.fromisoformat(date) if date else None,
        )


def load_pages(bodies: Path, publishers: Path) -> dict[str, list[Page]]:
    """Both corpus sets, read into memory so timing measures extraction only."""
    return {"bodies": list(_bodies_pages(bodies)), "publishers": list(_publisher_pages(publishers))}


def _trafilatura(html: str, url: str) -> ExtractedFields:
    """trafilatura 2 as a user would call it: defaults, with metadata."""
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if document is None:
        return ExtractedFields()
    found = document if isinstance(document, dict) else document.as_dict()
    date = found.get("date")
    authors = [a.strip() for a in (found.get("author") or "").split(";") if a.strip()]
    return ExtractedFields(
        title=found.get("title") or "",
        body=found.get("text") or "",
        authors=authors,
        published_at=datetime.fromisoformat(date) if date else None,
    )


Extractor = Callable[[str, str], ExtractedFields]
EXTRACTORS: dict[str, Extractor] = {"newsloom": extract_fields, "trafilatura": _trafilatura}


def _score_page(page: Page, fields: ExtractedFields, score: Score) -> None:
    precision, recall = body_scores(page.body, fields.body)
    score.precision.append(precision)
    score.recall.append(recall)
    if page.title is not None:
        score.title.append(" ".join(page.title.split()) == " ".join(fields.title.split()))
        score.date.append(_same_day(page.published, fields.published_at))
        score.authors.append(_authors_f1(page.authors or (), fields.authors))


def _as_json(fields: ExtractedFields, body_key: str) -> dict[str, object]:
    published = fields.published_at.isoformat() if fields.published_at else None
    return {
        body_key: fields.body,
        "title": fields.title,
        "authors": fields.authors,
        "publishing_date": published,
    }


def run(
    pages: dict[str, list[Page]], progress: Progress
) -> tuple[dict[tuple[str, str], Score], dict[str, dict[str, dict[str, object]]]]:
    """Score every extractor on every set; return the scores and every page's fields."""
    scores: dict[tuple[str, str], Score] = {}
    outputs: dict[str, dict[str, dict[str, object]]] = {}
    total = len(EXTRACTORS) * sum(len(v) for v in pages.values())
    task = progress.add_task("extracting", total=total)
    for name, extractor in EXTRACTORS.items():
        out = outputs.setdefault(name, {})
        for set_name, set_pages in pages.items():
            score = scores[(name, set_name)] = Score()
            body_key = "articleBody" if set_name == "bodies" else "body"
            for page in set_pages:
                started = time.perf_counter()
                fields = extractor(page.html, page.url)
                score.seconds += time.perf_counter() - started
                _score_page(page, fields, score)
                out[f"{set_name}/{page.key}"] = _as_json(fields, body_key)
                progress.advance(task)
    return scores, outputs


def _table(scores: dict[tuple[str, str], Score], pages: dict[str, list[Page]]) -> Table:
    table = Table(title="Extraction: newsloom vs trafilatura")
    for column in ("set", "extractor", "body F1", "P", "R", "title", "date", "authors F1"):
        table.add_column(column, justify="left" if column in {"set", "extractor"} else "right")
    table.add_column("pages/s", justify="right")
    for (name, set_name), score in scores.items():
        fields = [f"{_mean(score.title):.3f}", f"{_mean(score.date):.3f}"] if score.title else []
        fields = [*fields, f"{_mean(score.authors):.3f}"] if score.title else ["", "", ""]
        rate = len(pages[set_name]) / score.seconds if score.seconds else 0.0
        table.add_row(
            f"{set_name} ({len(pages[set_name])})",
            name,
            f"{score.body_f1():.3f}",
            f"{_mean(score.precision):.3f}",
            f"{_mean(score.recall):.3f}",
            *fields,
            f"{rate:.1f}",
        )
    return table


def main(
    bodies: Annotated[
        Path | None, typer.Option(help="article-bodies directory (default: corpus dev half).")
    ] = None,
    publishers: Annotated[
        Path | None, typer.Option(help="publishers directory (default: corpus dev half).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write every page's extracted fields as JSON here.")
    ] = None,
) -> None:
    """Score newsloom's extractor and trafilatura on both corpus sets and print a table."""
    corpus = get_settings().shared_dir / "corpus"
    bodies = bodies or corpus / "article-bodies" / "dev"
    publishers = publishers or corpus / "publishers" / "dev"
    for directory in (bodies, publishers):
        if not directory.is_dir():
            raise typer.BadParameter(
                f"{directory} is not a directory; pass --bodies/--publishers or set "
                "NEWSLOOM_SHARED_DIR to the directory holding corpus/"
            )
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # a piped table should not wrap every column
    pages = load_pages(bodies, publishers)
    with Progress(console=console, transient=True) as progress:
        scores, outputs = run(pages, progress)
    console.print(_table(scores, pages))
    if out:
        out.write_text(json.dumps(outputs, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"extracted fields written to {out}")


if __name__ == "__main__":
    typer.run(main)
