"""Flatten ruby annotations so a CJK paragraph stays one paragraph.

Japanese and Chinese pages gloss names and rare characters with ``<ruby>`` (``<rb>`` base,
``<rt>`` reading, ``<rp>`` fallback parentheses). The extractor treats these as separate blocks
and cuts the sentence around every gloss. Read as plain text, they are what a browser without
ruby support shows: the base followed by its reading in parentheses, inline.
"""

from __future__ import annotations

from lxml.html import HtmlElement

__all__ = ["flatten_ruby"]

_RUBY_TAGS = ("ruby", "rb", "rt", "rtc", "rp")


def flatten_ruby(tree: HtmlElement) -> int:
    """Replace ruby markup in ``tree`` by its text; return how many elements were unwrapped."""
    elements = list(tree.iter(*_RUBY_TAGS))
    for element in elements:
        element.drop_tag()
    return len(elements)
