"""Separate the headline and the standfirst (lead) from the start of an extracted body.

Main-content extractors often start the body with the page's article header: a kicker, the
headline, the teaser paragraph. Headline and lead are fields of their own, so they are cut from
the body here. Two independent sources must agree before anything is cut: the text must repeat
a declared title (JSON-LD headline, OpenGraph/Twitter title, ``<h1>``) or the declared
description, and for the description the page's HTML must show the paragraph standing apart from
the article's paragraphs (a teaser in the header), not as the first of them (many publishers copy
their first paragraph into the description, and then it belongs to the body).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from crawler.extraction.wording import words

__all__ = ["innermost_holder", "is_standalone_lead", "strip_heading"]

_TOKEN = re.compile(r"\w+", re.UNICODE)
# How far into the body a header block can reach: kicker, headline, dek, lead.
_HEAD_PARAGRAPHS = 5
# Kickers, section labels and date lines above a headline are short; a real paragraph is not.
_SHORT_LINE_TOKENS = 12
# A kicker glued to the headline ("Migration" + "Chiesa calls ...") or a site name after it.
_KICKER_TOKENS = 8
_SITE_SUFFIX_TOKENS = 4
# A paragraph of the article body is long; captions and bylines beside a teaser are not.
_BODY_PARAGRAPH_CHARS = 80
_MAX_CLIMB = 6
# Kicker, dek and byline lines an extractor may keep from an HTML <header>.
_HEADER_LINES = 3
# A sentence-long heading right under the headline: the dek (subtitle).
_DEK_TAGS = ("h2", "h3", "h4")
_MIN_DEK_CHARS = 60
# A text set wholly in bold, or as a heading, is a standfirst or dek, never a body paragraph.
_APART_TAGS = ("strong", "b", "h2", "h3")


def _repeats_title(paragraph: list[str], title: list[str]) -> bool:
    """The paragraph is the headline, perhaps with a kicker before or a site name after it."""
    if not title or len(paragraph) < len(title):
        return False
    extra = len(paragraph) - len(title)
    # Compared as strings: a kicker set in its own span is often glued to the headline's first
    # word ("MigrationChiesa calls ..."), which no token comparison would see.
    text, wanted = " ".join(paragraph), " ".join(title)
    if text.endswith(wanted) and extra <= _KICKER_TOKENS:
        return True
    return paragraph[: len(title)] == title and extra <= _SITE_SUFFIX_TOKENS


def _repeats_description(paragraph: list[str], description: list[str]) -> bool:
    return bool(description) and paragraph == description


def _text_tokens(element: HtmlElement) -> list[str]:
    return words(element.text_content())


def innermost_holder(tree: HtmlElement, text: str) -> HtmlElement | None:
    """The deepest element whose whole text is ``text`` (compared word by word).

    Found from the text nodes holding the longest word (a word is never split between
    nodes), climbing a few levels: far cheaper than reading the text of every element.
    """
    wanted = words(text)
    probe = max(_TOKEN.findall(text), key=len, default="")
    if not probe:
        return None
    for node in tree.xpath("//body//text()[contains(., $probe)]", probe=probe):
        element = node.getparent()
        for _ in range(_MAX_CLIMB):
            if element is None or len(_text_tokens(element)) > len(wanted):
                break
            if _text_tokens(element) == wanted:
                return _deepest(element, wanted)
            element = element.getparent()
    return None


def _deepest(element: HtmlElement, wanted: list[str]) -> HtmlElement:
    while (inner := next((c for c in element if _text_tokens(c) == wanted), None)) is not None:
        element = inner
    return element


def _is_fellow_paragraph(sibling: HtmlElement, element: HtmlElement) -> bool:
    """A sibling built like ``element`` (same tag and class) that holds one long paragraph."""
    if sibling.tag != element.tag or sibling.get("class") != element.get("class"):
        return False
    if len(sibling.xpath("descendant-or-self::p")) > 1:
        return False  # the container of the whole article, not a paragraph of it
    return len(" ".join(sibling.text_content().split())) > _BODY_PARAGRAPH_CHARS


def is_standalone_lead(tree: HtmlElement, text: str) -> bool | None:
    """Whether the element holding ``text`` stands apart from the article's paragraphs.

    ``None`` when no single element holds exactly that text. A teaser sits in the article
    header next to the headline, byline and picture, or is set apart by its markup (a
    class of its own, all of it bold); a first paragraph has fellow paragraphs built the same
    way as siblings (possibly each in a wrapper, hence the climb through elements that hold
    nothing else).
    """
    wanted = words(text)
    element = innermost_holder(tree, text)
    if element is None:
        return None
    if element.tag in _APART_TAGS:
        return True
    parent = element.getparent()
    while parent is not None and _text_tokens(parent) == wanted:
        element, parent = parent, parent.getparent()
    if parent is None:
        return None
    siblings = (s for s in parent if s is not element and isinstance(s.tag, str))
    return not any(_is_fellow_paragraph(sibling, element) for sibling in siblings)


def _without_header_lines(paragraphs: list[str], tree: HtmlElement) -> list[str]:
    """Leading paragraphs that sit in an HTML ``<header>``: the article header's small print."""
    start = 0
    while start < min(_HEADER_LINES, len(paragraphs) - 1):
        holder = innermost_holder(tree, paragraphs[start])
        if holder is None or next(holder.iterancestors("header"), None) is None:
            break
        start += 1
    return paragraphs[start:]


def _without_dek(paragraphs: list[str], tree: HtmlElement) -> list[str]:
    """A first paragraph set as a long heading is the dek under the headline, not the story."""
    if len(paragraphs) < 2 or len(paragraphs[0]) < _MIN_DEK_CHARS:
        return paragraphs  # a short heading first may be the story's first section title
    holder = innermost_holder(tree, paragraphs[0])
    return paragraphs[1:] if holder is not None and holder.tag in _DEK_TAGS else paragraphs


def strip_heading(
    body: str, titles: Sequence[str], description: str | None, tree: HtmlElement | None
) -> str:
    """Cut the leading headline (with its kicker), header lines and standalone lead.

    A bare repeat of the headline as the last paragraph goes too.
    """
    paragraphs = body.split("\n\n")
    title_tokens = [tokens for title in titles if (tokens := words(title))]
    head = [words(paragraph) for paragraph in paragraphs[:_HEAD_PARAGRAPHS]]
    repeats = [
        index
        for index, tokens in enumerate(head)
        if index + 1 < len(paragraphs) and any(_repeats_title(tokens, t) for t in title_tokens)
    ]
    # The headline can come twice (the page's <title> and the <h1>, or a lead video's title and
    # the article's): after the first, a repeat goes only when it is the bare headline, since a
    # dateline that quotes the headline ("Agency, 24 April - Title: ...") opens the story.
    repeats = repeats[:1] + [index for index in repeats[1:] if head[index] in title_tokens]
    if repeats:
        above = [line for index, line in enumerate(head[: repeats[-1]]) if index not in repeats]
        # Short lines above the headline are its kicker, section or date: header too.
        if all(len(line) <= _SHORT_LINE_TOKENS for line in above):
            paragraphs = paragraphs[repeats[-1] + 1 :]
        else:
            paragraphs = [p for index, p in enumerate(paragraphs) if index not in repeats]
    if tree is not None:
        paragraphs = _without_dek(_without_header_lines(paragraphs, tree), tree)
    description_tokens = words(description or "")
    for index, paragraph in enumerate(paragraphs[:_HEAD_PARAGRAPHS]):
        if _repeats_description(words(paragraph), description_tokens):
            standalone = is_standalone_lead(tree, paragraph) if tree is not None else None
            if standalone is not False and len(paragraphs) > 1:  # a brief is all lead
                paragraphs = paragraphs[:index] + paragraphs[index + 1 :]
            break
    # The bare headline again under the story is a share or "back to top" card repeating it.
    if len(paragraphs) > 1 and words(paragraphs[-1]) in title_tokens:
        paragraphs = paragraphs[:-1]
    return "\n\n".join(paragraphs)
