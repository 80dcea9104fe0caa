"""Extraction benchmark: newsloom's extractor against trafilatura on the shared corpus.

Run ``python -m bench.extraction`` (defaults: the dev halves under ``$NEWSLOOM_SHARED_DIR/corpus``).
Bodies are scored with the article-extraction-benchmark's shingle metric (4-token shingles,
per-page precision and recall averaged over pages, F1 of the averages); publisher pages also
get title exact match, publishing date to the day and authors set F1. ``--out`` writes every
page's extracted fields so others can score them with their own tools.

Each set is also split by site into two folds (article bodies by the URL's registered domain,
publisher pages by publisher) with a stable hash of the site, so a change tuned on one fold can
be checked on sites it never saw; pages written mostly in Chinese, Japanese or Korean script
get a row of their own.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import tldextract
import trafilatura
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from crawler.extraction.fields import ExtractedFields, extract_fields
from newsloom.settings import get_settings

__all__ = [
    "PageScore",
    "Score",
    "body_scores",
    "fold_of",
    "is_cjk",
    "load_pages",
    "main",
    "page_groups",
    "shingle_counts",
]

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
# A publisher page is named "<Publisher>_<date>": the publisher is the site.
_PUBLISHER_DATE = re.compile(r"_\d{4}_\d{2}_\d{2}$")
# Han (with compatibility ideographs), kana and Hangul (syllables and jamo).
_CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff]"
)
_CJK_SHARE = 0.5


@dataclass(frozen=True)
class Page:
    """One corpus page and what a human says it holds."""

    key: str
    url: str
    html: str
    body: str
    site: str
    title: str | None = None
    authors: tuple[str, ...] | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class PageScore:
    """How one extractor did on one page; field scores are ``None`` when the page has no truth."""

    precision: float
    recall: float
    seconds: float
    title: bool | None = None
    date: bool | None = None
    authors: float | None = None


@dataclass
class Score:
    """Scores of one extractor on a group of pages (a set, one of its folds, or the CJK pages)."""

    pages: list[PageScore] = field(default_factory=list)

    def mean(self, name: str) -> float | None:
        """Mean of one per-page score over the pages that have it (``None`` if none has)."""
        values = [v for page in self.pages if (v := getattr(page, name)) is not None]
        return _mean(values) if values else None

    def body_f1(self) -> float:
        """F1 of the averaged precision and recall, as the benchmark defines it."""
        p, r = self.mean("precision") or 0.0, self.mean("recall") or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def rate(self) -> float:
        """Pages extracted per second of extraction time."""
        seconds = sum(page.seconds for page in self.pages)
        return len(self.pages) / seconds if seconds else 0.0


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _domain(url: str) -> str:
    """The URL's registered domain: the site, whatever its host's subdomain."""
    # The public suffix list bundled with tldextract: a benchmark run fetches nothing.
    return _SUFFIXES(url).top_domain_under_public_suffix or urlsplit(url).hostname or url


def fold_of(site: str) -> str:
    """The fold ("A" or "B") a site falls in: a stable hash, so every run splits alike."""
    return "AB"[hashlib.sha256(site.encode("utf-8")).digest()[0] % 2]


def is_cjk(text: str) -> bool:
    """Whether most of the letters of ``text`` are Chinese, Japanese or Korean script."""
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(map(bool, map(_CJK.match, letters))) / len(letters) > _CJK_SHARE


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
        yield Page(key, expected["url"], html, expected["articleBody"], _domain(expected["url"]))


def _publisher_pages(directory: Path) -> Iterator[Page]:
    for meta_path in sorted(directory.rglob("*.json")):
        html_path = meta_path.with_name(meta_path.name.removesuffix(".json") + ".html.gz")
        if not html_path.exists():
            continue
        expected = json.loads(meta_path.read_text(encoding="utf-8"))
        date = expected.get("publishing_date")
        key = str(meta_path.relative_to(directory).with_suffix(""))
        yield Page(
            key=key,
            site=_PUBLISHER_DATE.sub("", key),
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


def _score_page(page: Page, fields: ExtractedFields, seconds: float) -> PageScore:
    precision, recall = body_scores(page.body, fields.body)
    if page.title is None:
        return PageScore(precision, recall, seconds)
    return PageScore(
        precision,
        recall,
        seconds,
        title=" ".join(page.title.split()) == " ".join(fields.title.split()),
        date=_same_day(page.published, fields.published_at),
        authors=_authors_f1(page.authors or (), fields.authors),
    )


def _as_json(fields: ExtractedFields, body_key: str) -> dict[str, object]:
    published = fields.published_at.isoformat() if fields.published_at else None
    return {
        body_key: fields.body,
        "title": fields.title,
        "authors": fields.authors,
        "publishing_date": published,
    }


Results = dict[str, dict[str, dict[str, PageScore]]]  # extractor -> set -> page key -> score


def run(
    pages: dict[str, list[Page]], progress: Progress
) -> tuple[Results, dict[str, dict[str, dict[str, object]]]]:
    """Score every extractor on every page; return the scores and every page's fields."""
    results: Results = {}
    outputs: dict[str, dict[str, dict[str, object]]] = {}
    total = len(EXTRACTORS) * sum(len(v) for v in pages.values())
    task = progress.add_task("extracting", total=total)
    # One untimed page each first: lazy imports (dateparser's locale data, for one) would
    # otherwise be charged to whichever page needs them first.
    for page in next((v for v in pages.values() if v), [])[:1]:
        for extractor in EXTRACTORS.values():
            extractor(page.html, page.url)
    for set_name, set_pages in pages.items():
        body_key = "articleBody" if set_name == "bodies" else "body"
        for page in set_pages:
            # Extractors take turns page by page, so a load change on the machine slows both.
            for name, extractor in EXTRACTORS.items():
                started = time.perf_counter()
                fields = extractor(page.html, page.url)
                seconds = time.perf_counter() - started
                scores = results.setdefault(name, {}).setdefault(set_name, {})
                scores[page.key] = _score_page(page, fields, seconds)
                outputs.setdefault(name, {})[f"{set_name}/{page.key}"] = _as_json(fields, body_key)
                progress.advance(task)
    return results, outputs


def page_groups(pages: dict[str, list[Page]]) -> dict[str, list[tuple[str, str]]]:
    """Named groups of (set, page key): each set whole, its two folds by site, the CJK pages."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for set_name, set_pages in pages.items():
        sites = len({page.site for page in set_pages})
        groups[f"{set_name}, all ({sites} sites)"] = [(set_name, p.key) for p in set_pages]
        for fold in "AB":
            members = [p for p in set_pages if fold_of(p.site) == fold]
            label = f"{set_name}, fold {fold} ({len({p.site for p in members})} sites)"
            groups[label] = [(set_name, p.key) for p in members]
    groups["CJK pages, both sets"] = [
        (set_name, page.key)
        for set_name, set_pages in pages.items()
        for page in set_pages
        if is_cjk(page.body or page.title or "")
    ]
    return groups


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _table(results: Results, groups: dict[str, list[tuple[str, str]]]) -> Table:
    table = Table(title="Extraction: newsloom vs trafilatura (folds split by site)")
    for column in ("pages", "extractor", "body F1", "P", "R", "title", "date", "authors F1"):
        table.add_column(column, justify="left" if column in {"pages", "extractor"} else "right")
    table.add_column("pages/s", justify="right")
    for label, members in groups.items():
        for index, (name, by_set) in enumerate(results.items()):
            score = Score([by_set[set_name][key] for set_name, key in members])
            table.add_row(
                f"{label}: {len(members)}" if index == 0 else "",
                name,
                f"{score.body_f1():.3f}",
                *(_cell(score.mean(column)) for column in ("precision", "recall")),
                *(_cell(score.mean(column)) for column in ("title", "date", "authors")),
                f"{score.rate():.1f}",
                end_section=index == len(results) - 1,
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
        results, outputs = run(pages, progress)
    console.print(_table(results, page_groups(pages)))
    if out:
        out.write_text(json.dumps(outputs, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(f"extracted fields written to {out}")


if __name__ == "__main__":
    typer.run(main)
