"""Cross-check the extracted body against the ``articleBody`` a page declares in JSON-LD.

Publishers that declare the article's text in schema.org markup leave out what they do not
consider the article: teasers for other stories, newsletter boxes, photo credits, comment
prompts. When the declared text is long and nearly all of it is in the extracted body, the two
sources agree on what the article is, and an extracted paragraph the declaration does not hold
is page furniture. Declarations usually omit section subheadings and the posts and quotes the
article embeds, so short heading-shaped lines, short lines the page sets as headings and text
the page quotes in a ``<blockquote>`` stay; and a declaration that is only a teaser (much
shorter than the body) decides nothing. The other way round, a declaration that holds all of
a much shorter body shows the extractor stopped short, and the declared text replaces it.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter

from lxml.html import HtmlElement

from crawler.extraction.heading import innermost_holder
from crawler.extraction.metadata import json_ld_objects
from crawler.extraction.wording import shingles, words

__all__ = ["declared_article_body", "reconcile_with_declared"]

_MARKUP = re.compile(r"<[a-zA-Z/][^>]*>")
# Below this the declaration is a teaser or a stub, not the article.
_MIN_DECLARED_WORDS = 50
# Nearly all of the declaration must be in the body, and it must cover most of the body.
_MIN_CONTAINED = 0.9
_MIN_COVERAGE = 0.5
# A declaration this much longer than a body it contains shows the extractor stopped short.
_TRUNCATED_RATIO = 1.5
# A paragraph at least half of whose shingles the declaration holds is the article's.
_MIN_PARAGRAPH_SHARE = 0.5
# Subheadings: short, and not ending like a sentence.
_HEADING_WORDS = 10
_SENTENCE_END = (".", "!", "?", ":")
_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")


def declared_article_body(tree: HtmlElement) -> str | None:
    """The first JSON-LD ``articleBody`` of the page long enough to be the article."""
    for node in json_ld_objects(tree):
        text = node.get("articleBody")
        if isinstance(text, str) and len(words(text)) >= _MIN_DECLARED_WORDS:
            return _as_text(text)
    return None


def _as_text(declared: str) -> str:
    """Plain text with one line per block: some publishers declare the body as HTML."""
    if not _MARKUP.search(declared):
        return declared
    return html_lib.unescape(_MARKUP.sub("\n", declared))


def _share(tokens: list[str], declared: Counter[str]) -> float:
    own = shingles(tokens)
    return sum((own & declared).values()) / max(1, sum(own.values()))


def _paragraphs_of(declared: str) -> str:
    lines = (" ".join(line.split()) for line in declared.splitlines())
    return "\n\n".join(line for line in lines if line)


def _left_out_by_declarations(paragraph: str, tokens: list[str], tree: HtmlElement) -> bool:
    """A short heading (even a question) or an embedded quote: what declarations leave out."""
    holder = innermost_holder(tree, paragraph)
    if holder is None:
        return False
    if len(tokens) < _HEADING_WORDS and holder.tag in _HEADING_TAGS:
        return True
    return holder.tag == "blockquote" or next(holder.iterancestors("blockquote"), None) is not None


def reconcile_with_declared(
    body: str, declared: str | None, tree: HtmlElement | None = None
) -> str:
    """The body checked against the declared text, when the two agree on what the article is.

    If the declaration holds nearly all of the body and much more besides, the extractor
    stopped short (a split or lazily built page): the declared text is the body. If the body
    holds nearly all of the declaration, paragraphs the declaration does not hold are dropped,
    unless ``tree`` (the page) shows them to be subheadings or quotes declarations omit.
    """
    if not declared:
        return body
    declared_shingles = shingles(words(declared))
    body_shingles = shingles(words(body))
    shared = sum((declared_shingles & body_shingles).values())
    declared_size = sum(declared_shingles.values())
    body_size = sum(body_shingles.values())
    if shared >= _MIN_CONTAINED * body_size and declared_size >= _TRUNCATED_RATIO * body_size:
        return _paragraphs_of(declared)
    if shared < _MIN_CONTAINED * declared_size:
        return body  # the sources disagree: trust neither over the extractor
    if declared_size < _MIN_COVERAGE * body_size:
        return body
    kept = []
    for paragraph in body.split("\n\n"):
        tokens = words(paragraph)
        looks_like_heading = len(tokens) < _HEADING_WORDS and not paragraph.rstrip().endswith(
            _SENTENCE_END
        )
        if (
            looks_like_heading
            or _share(tokens, declared_shingles) >= _MIN_PARAGRAPH_SHARE
            or (tree is not None and _left_out_by_declarations(paragraph, tokens, tree))
        ):
            kept.append(paragraph)
    return "\n\n".join(kept)
