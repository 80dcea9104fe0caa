"""Seed texts rendered as full article pages, with their boilerplate where real sites put it.

A seed is an article copied as text from a real news page, together with the furniture a
reader meets in the article flow: advertisement slots, a subscription promo, topic labels,
the photo caption, a bullet summary, a video block, "Read more:" links. :func:`parse_seed`
classifies each line with general patterns (an advertisement label, a promo opening and its
call to action, a duration line followed by a repeated title, ...), never by naming whole
lines; :func:`render_article_page` puts every block back as the markup such sites use, so the
crawler's extractor meets the seed the way it meets the real page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ops.dev.fixture_site.layout import SiteStyle, escape_attr, escape_text, render_document

__all__ = ["ArticleMeta", "Block", "Kind", "SeedArticle", "parse_seed", "render_article_page"]

_ADVERT = re.compile(r"^advertisement$", re.IGNORECASE)
_PROMO_START = re.compile(r"^(?:Get more with|Sign up for|Subscribe to)\b", re.IGNORECASE)
_CALL_TO_ACTION = re.compile(r"^(?:Learn more|Find out more|Sign up|Subscribe(?: now)?)$", re.I)
_PROMO_MAX_LINES = 4
_CAPTION_CREDIT = re.compile(r"\s*\b(?:Photo|Image|Picture)s?:\s+\S.*$")
_BULLET = re.compile(r"^[•·▪‣●]\s*")
_DURATION = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$")
_READ_MORE = re.compile(r"^(?P<label>Read more:)\s*(?P<headline>\S.*)$", re.IGNORECASE)
_COUNT = re.compile(r"^\d+$")
# Closing quotes count as sentence ends: \u201d and \u2019 are the typographic ones.
_SENTENCE_END = re.compile("[.!?\u2026:;,\"'\u201d\u2019)]$")
_LABEL_MAX_WORDS = 4  # topic labels are a name or two: "North Korea", "Hong Kong economy"
_HEADLINE_MIN_WORDS = 4
_SUBHEADING_MAX_WORDS = 12

# The seeds carry no image files; a 1x1 transparent GIF keeps the figure real without
# pointing the crawler at an address that does not exist.
_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


class Kind(StrEnum):
    """What a block of the seed is on the page."""

    ADVERT = "advert"
    PROMO = "promo"
    CAPTION = "caption"
    TOPIC = "topic"
    TITLE = "title"
    STANDFIRST = "standfirst"
    SUMMARY = "summary"
    PARAGRAPH = "paragraph"
    SUBHEADING = "subheading"
    READ_MORE = "read_more"
    VIDEO = "video"
    COMMENT_COUNT = "comment_count"
    TEXT = "text"  # not yet told apart; parse_seed leaves none of these


@dataclass(frozen=True)
class Block:
    """One run of seed lines with one role."""

    kind: Kind
    lines: tuple[str, ...]


@dataclass(frozen=True)
class SeedArticle:
    """A seed as an ordered list of blocks, the title among them."""

    blocks: tuple[Block, ...]

    def first(self, kind: Kind) -> Block | None:
        """The first block of ``kind``, if any."""
        return next((block for block in self.blocks if block.kind is kind), None)

    @property
    def title(self) -> str:
        """The headline."""
        block = self.first(Kind.TITLE)
        assert block is not None, "parse_seed guarantees a title"
        return block.lines[0]

    @property
    def description(self) -> str:
        """The meta-tag teaser: standfirst, else first bullet, else first paragraph."""
        for kind in (Kind.STANDFIRST, Kind.SUMMARY, Kind.PARAGRAPH):
            block = self.first(kind)
            if block is not None:
                return block.lines[0]
        return self.title


@dataclass(frozen=True)
class ArticleMeta:
    """What the page says about the article beyond its text."""

    url: str
    published: datetime
    author: str
    author_is_person: bool
    publisher: str
    publisher_url: str
    section: str
    language: str


def _promo_end(lines: Sequence[str], start: int) -> int | None:
    """End (exclusive) of a promo opening at ``start``: through its call to action, if close."""
    if not _PROMO_START.match(lines[start]):
        return None
    for end in range(start + 1, min(start + _PROMO_MAX_LINES, len(lines))):
        if _CALL_TO_ACTION.match(lines[end]):
            return end + 1
    return None


def _run_end(lines: Sequence[str], start: int, pattern: re.Pattern[str]) -> int:
    end = start
    while end < len(lines) and pattern.match(lines[end]):
        end += 1
    return end


def _scan(lines: Sequence[str]) -> list[Block]:
    """Mark the furniture; everything else stays TEXT for :func:`_assign_text_roles`."""
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        end = index + 1
        kind = Kind.TEXT
        promo_end = _promo_end(lines, index)
        if _ADVERT.match(line):
            kind = Kind.ADVERT
        elif promo_end is not None:
            kind, end = Kind.PROMO, promo_end
        elif _DURATION.match(line):
            # A video player: its duration, then its title, which such players show twice.
            kind = Kind.VIDEO
            title_end = end
            while title_end < len(lines) and lines[title_end] == lines[index + 1]:
                title_end += 1
            end = title_end if title_end - end > 1 else end
        elif _BULLET.match(line):
            kind, end = Kind.SUMMARY, _run_end(lines, index, _BULLET)
        elif _CAPTION_CREDIT.search(line):
            kind = Kind.CAPTION
        elif _READ_MORE.match(line):
            kind = Kind.READ_MORE
        elif _COUNT.match(line):
            kind = Kind.COMMENT_COUNT
        run = lines[index:end]
        if kind is Kind.SUMMARY:
            run = [_BULLET.sub("", bullet) for bullet in run]
        blocks.append(Block(kind, tuple(run)))
        index = end
    return blocks


def _text_role(line: str, *, title_seen: bool, after_title: bool, body_started: bool) -> Kind:
    words = len(line.split())
    unpunctuated = not _SENTENCE_END.search(line)
    if not title_seen:
        if unpunctuated and words >= _HEADLINE_MIN_WORDS:
            return Kind.TITLE
        return Kind.TOPIC if unpunctuated and words <= _LABEL_MAX_WORDS else Kind.PARAGRAPH
    if after_title and not (unpunctuated and words <= _LABEL_MAX_WORDS):
        return Kind.STANDFIRST
    if unpunctuated and not body_started and words <= _LABEL_MAX_WORDS:
        return Kind.TOPIC
    if unpunctuated and body_started and words <= _SUBHEADING_MAX_WORDS:
        return Kind.SUBHEADING
    return Kind.PARAGRAPH


def _assign_text_roles(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Tell title, topic labels, standfirst, subheadings and paragraphs apart by position."""
    result: list[Block] = []
    for block in blocks:
        kind = block.kind
        if kind is Kind.TEXT:
            kind = _text_role(
                block.lines[0],
                title_seen=any(done.kind is Kind.TITLE for done in result),
                after_title=bool(result) and result[-1].kind is Kind.TITLE,
                body_started=any(done.kind is Kind.PARAGRAPH for done in result),
            )
        result.append(Block(kind, block.lines))
    return tuple(result)


def parse_seed(text: str) -> SeedArticle:
    """Split a seed text into classified blocks; raise ``ValueError`` if it has no headline."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    article = SeedArticle(_assign_text_roles(_scan(lines)))
    if article.first(Kind.TITLE) is None:
        raise ValueError("seed has no headline-like line")
    return article


def _render_block(block: Block, related_href: Callable[[str], str]) -> str:
    lines = [escape_text(line) for line in block.lines]
    match block.kind:
        case Kind.ADVERT:
            return (
                f'<div class="ad-slot" aria-hidden="true"><p class="ad-label">{lines[0]}</p></div>'
            )
        case Kind.PROMO:
            middle = "".join(f"<p>{line}</p>" for line in lines[1:-1])
            return (
                f'<aside class="promo"><p class="promo-title"><strong>{lines[0]}</strong></p>'
                f'{middle}<button type="button">{lines[-1]}</button></aside>'
            )
        case Kind.CAPTION:
            raw = block.lines[0]
            credit = _CAPTION_CREDIT.search(raw)
            caption = raw[: credit.start()] if credit else raw
            credit_html = (
                f' <span class="credit">{escape_text(credit[0].strip())}</span>' if credit else ""
            )
            return (
                f'<figure class="lead-image"><img src="{_PIXEL}" alt="{escape_attr(caption)}" '
                f'width="1200" height="800"><figcaption>{escape_text(caption)}{credit_html}'
                "</figcaption></figure>"
            )
        case Kind.TOPIC:
            return f'<p class="topic">{lines[0]}</p>'
        case Kind.STANDFIRST:
            return f'<p class="standfirst"><strong>{lines[0]}</strong></p>'
        case Kind.SUMMARY:
            items = "".join(f"<li>{line}</li>" for line in lines)
            return f'<ul class="summary">{items}</ul>'
        case Kind.SUBHEADING:
            return f"<h2>{lines[0]}</h2>"
        case Kind.READ_MORE:
            found = _READ_MORE.match(block.lines[0])
            assert found is not None, "_scan only marks matching lines"
            headline = found["headline"]
            return (
                f'<p class="read-more">{escape_text(found["label"])} '
                f'<a href="{escape_attr(related_href(headline))}">{escape_text(headline)}</a></p>'
            )
        case Kind.VIDEO:
            title = f'<h3 class="video-title">{lines[1]}</h3>' if len(lines) > 1 else ""
            repeats = "".join(f'<p class="video-description">{line}</p>' for line in lines[2:])
            return (
                f'<div class="video-player"><span class="duration">{lines[0]}</span>'
                f"{title}{repeats}</div>"
            )
        case Kind.COMMENT_COUNT:
            count = f'<button type="button" class="count">{lines[0]}</button>'
            return f'<div class="comments">{count}</div>'
        case _:
            return "".join(f"<p>{line}</p>" for line in lines)


def _json_ld(article: SeedArticle, meta: ArticleMeta) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "datePublished": meta.published.isoformat(),
        "dateModified": meta.published.isoformat(),
        "author": [
            {"@type": "Person" if meta.author_is_person else "Organization", "name": meta.author}
        ],
        "publisher": {"@type": "Organization", "name": meta.publisher, "url": meta.publisher_url},
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.url},
        "url": meta.url,
        "articleSection": meta.section,
        "inLanguage": meta.language,
    }
    # "</" inside a script element would end it early; JSON allows the escaped slash.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _head(article: SeedArticle, meta: ArticleMeta) -> str:
    properties = {
        "og:type": "article",
        "og:site_name": meta.publisher,
        "og:title": article.title,
        "og:description": article.description,
        "og:url": meta.url,
        "article:published_time": meta.published.isoformat(),
        "article:section": meta.section,
    }
    tags = [
        f'<link rel="canonical" href="{escape_attr(meta.url)}">',
        f'<meta name="description" content="{escape_attr(article.description)}">',
        f'<meta name="author" content="{escape_attr(meta.author)}">',
        '<meta name="twitter:card" content="summary_large_image">',
        *(
            f'<meta property="{name}" content="{escape_attr(value)}">'
            for name, value in properties.items()
        ),
        f'<script type="application/ld+json">{_json_ld(article, meta)}</script>',
    ]
    return "".join(tags)


def render_article_page(
    article: SeedArticle,
    meta: ArticleMeta,
    style: SiteStyle,
    related_href: Callable[[str], str],
) -> bytes:
    """The full HTML page of a seed; ``related_href`` maps a "Read more" headline to a path."""
    before_title: list[str] = []
    body: list[str] = []
    title_seen = False
    for block in article.blocks:
        if block.kind is Kind.TITLE:
            title_seen = True
            continue
        (body if title_seen else before_title).append(_render_block(block, related_href))
    byline = (
        f'<div class="byline">By <span class="author">{escape_text(meta.author)}</span> '
        f'<time datetime="{meta.published.isoformat()}">'
        f"{meta.published.strftime('%d %B %Y %H:%M %z')}</time></div>"
    )
    main = (
        f'<article class="news-article">{"".join(before_title)}'
        f'<h1 class="headline">{escape_text(article.title)}</h1>{byline}'
        f'<div class="article-body">{"".join(body)}</div></article>'
    )
    return render_document(
        style,
        title=f"{article.title} | {meta.publisher}",
        main=main,
        head=_head(article, meta),
        language=meta.language,
    )
