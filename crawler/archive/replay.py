"""Replay extraction over archived responses: new extractor, old pages, no re-crawl."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from crawler.archive.warc import read_responses
from crawler.extraction import ExtractionError, extract_response_article
from crawler.sources import Source
from newsloom.schema import Article

__all__ = ["ReplayResult", "replay_warc"]


@dataclass(frozen=True)
class ReplayResult:
    """One archived response replayed: the article, or why there is none."""

    url: str
    article: Article | None
    problem: str | None = None


def _source_for(url: str, sources: Sequence[Source]) -> Source | None:
    """The source whose homepage has this URL's host and port, else just its host name."""
    parts = urlsplit(url)
    for source in sources:
        if urlsplit(str(source.homepage)).netloc == parts.netloc:
            return source
    return next((source for source in sources if parts.hostname in source.allowed_domains), None)


def replay_warc(path: Path, sources: Sequence[Source]) -> Iterator[ReplayResult]:
    """Extract every archived 200 response of ``path`` again, attributed to its source."""
    for response in read_responses(path):
        if response.status != HTTPStatus.OK:  # only full pages hold an article
            continue
        source = _source_for(response.url, sources)
        if source is None:
            yield ReplayResult(response.url, None, "no source in the registry serves this host")
            continue
        content_type = next(
            (v for k, v in response.headers.items() if k.lower() == "content-type"), ""
        )
        try:
            article = extract_response_article(response.body, content_type, response.url, source)
        except ExtractionError as error:
            yield ReplayResult(response.url, None, str(error))
        else:
            yield ReplayResult(response.url, article)
