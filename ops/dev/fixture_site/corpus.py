"""The publisher corpus, read from the shared data for the fixture site's ``corpus`` outlet.

``<shared>/corpus/publishers/dev/<country>/<Publisher>_<date>.html.gz`` holds a real page
as its publisher served it and the ``.json`` beside it the ground truth (url, title,
publishing_date, ...). Each page is served byte for byte at ``/<country><original path>``,
so a crawl of the fixture can be checked against that ground truth.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "CorpusEntry",
    "CorpusPage",
    "corpus_dir",
    "detect_charset",
    "detect_language",
    "list_corpus",
    "load_page",
]

# RFC 3986 path characters left as they are, so a path that was valid stays the same.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_LANG = re.compile(rb"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.I)
_SNIFF_BYTES = 8192
# Legacy charsets made for one language's script (windows-1251 is not: Bulgarian and
# Ukrainian use it too).
_CHARSET_LANGUAGES = {
    "gb2312": "zh",
    "gbk": "zh",
    "gb18030": "zh",
    "big5": "zh",
    "shift_jis": "ja",
    "euc-jp": "ja",
    "iso-2022-jp": "ja",
    "euc-kr": "ko",
    "koi8-r": "ru",
}


@dataclass(frozen=True)
class CorpusEntry:
    """One corpus page's ground truth and where the fixture site serves it."""

    country: str
    publisher: str
    title: str
    published: datetime
    original_url: str
    path: str
    """Site path, percent-encoded as in a link: ``/<country><original path>``."""
    html_file: Path


@dataclass(frozen=True)
class CorpusPage:
    """A corpus page's bytes, ready to serve."""

    entry: CorpusEntry
    html: bytes
    gzipped: bytes
    charset: str
    language: str | None


def corpus_dir(shared_dir: Path) -> Path:
    """Where the publisher pages live under the shared data directory."""
    return shared_dir / "corpus" / "publishers" / "dev"


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    # Some ground-truth dates carry no offset; UTC is the honest guess for a validator date.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _site_path(country: str, url: str) -> str:
    original = urlsplit(url).path or "/"
    # Query and fragment are dropped: in this corpus they are feed-tracking tags (?ref=rss).
    return f"/{country}" + quote(unquote(original), safe=_PATH_SAFE)


def _entry(record_file: Path) -> CorpusEntry:
    record = json.loads(record_file.read_text(encoding="utf-8"))
    country = record_file.parent.name
    return CorpusEntry(
        country=country,
        publisher=record.get("publisher") or record_file.stem.split("_", 1)[0],
        title=record["title"],
        published=_aware(record.get("publishing_date") or record["crawl_date"]),
        original_url=record["url"],
        path=_site_path(country, record["url"]),
        html_file=record_file.with_name(record_file.stem + ".html.gz"),
    )


def list_corpus(shared_dir: Path) -> list[CorpusEntry]:
    """Every corpus page's entry, sorted by path; raise ``ValueError`` if two share a path."""
    entries = sorted(
        (_entry(record) for record in corpus_dir(shared_dir).glob("*/*.json")),
        key=lambda entry: entry.path,
    )
    paths = [entry.path for entry in entries]
    clashes = sorted({path for path in paths if paths.count(path) > 1})
    if clashes:
        raise ValueError(f"corpus pages share site paths: {', '.join(clashes)}")
    return entries


def detect_charset(html: bytes) -> str:
    """The encoding the bytes are in: UTF-8 when they decode as it, else what the page declares.

    The data set stores some pages re-encoded as UTF-8 while their ``<meta>`` still declares
    the legacy charset (GB2312, ISO-8859-15). Valid UTF-8 with non-ASCII bytes is almost never
    anything else, so the header names the bytes' real encoding and the stale ``<meta>`` is left
    for the crawler to cope with, as on the real web.
    """
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        declared = _META_CHARSET.search(html[:_SNIFF_BYTES])
        if declared:
            name = declared[1].decode("ascii").lower()
            try:
                codecs.lookup(name)
            except LookupError:
                pass
            else:
                return name
        return "windows-1252"  # what browsers assume for an undeclared legacy page
    return "utf-8"


def detect_language(html: bytes) -> str | None:
    """The primary language subtag of ``<html lang>``, lower-cased, if the page declares one;
    else the language of the legacy charset it declares, if that charset is one language's
    (a GB2312 page is Chinese)."""
    head = html[:_SNIFF_BYTES]
    declared = _HTML_LANG.search(head)
    if declared:
        return declared[1].decode("ascii").lower()
    charset = _META_CHARSET.search(head)
    return _CHARSET_LANGUAGES.get(charset[1].decode("ascii").lower()) if charset else None


def load_page(entry: CorpusEntry) -> CorpusPage:
    """Read one page; its stored gzip bytes are kept to serve gzip requests as they are."""
    gzipped = entry.html_file.read_bytes()
    html = gzip.decompress(gzipped)
    return CorpusPage(
        entry=entry,
        html=html,
        gzipped=gzipped,
        charset=detect_charset(html),
        language=detect_language(html),
    )
