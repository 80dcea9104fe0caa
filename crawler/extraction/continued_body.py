"""A body the page splits into containers of one kind, read to its end.

Some pages cut the article into several containers that carry the same class, one after the
other in the page, with an advert, a paywall marker or a "read more" box between them. The
main-content extractor takes the container it scores best and stops at its end, so the rest
of the article is lost. Where the extracted text starts inside such a container, the
containers after it that are the same kind of element (same tag, the same classes but for
modifiers), near it in the page, and hold text of their own that the body lacks are read
too, and their text is appended.

The kind is the container that holds the paragraphs themselves, whose classes are specific
("body articleBody"), not an outer grid row's ("row"), which related stories share.
"""

from __future__ import annotations

import trafilatura
from lxml import etree
from lxml.html import HtmlElement, tostring

__all__ = ["continued_body"]

# A paragraph of the body is looked for in the page by its opening characters.
_ANCHOR_CHARS = 50
# How far above the first part of the article the later parts may be joined.
_MAX_LEVELS = 6
# A continuation holds at least this much text (a teaser card or an advert holds less),
# most of it new to the body.
_MIN_CONTINUATION_CHARS = 300
_MIN_NEW_SHARE = 0.5
_HEADLINES_BEFORE = etree.XPath("count(preceding::h1)")
_PARAGRAPH_STARTING = etree.XPath("(//p[starts-with(normalize-space(.), $anchor)])[1]")


def _squashed(text: str) -> str:
    return " ".join(text.split())


def _kind(element: HtmlElement) -> frozenset[str]:
    """The element's classes less the modifiers a layout adds to some of its parts
    ("-bottom-space", "block--wide"): what makes containers the same kind of thing."""
    return frozenset(
        name
        for name in (element.get("class") or "").split()
        if not name.startswith("-") and "--" not in name
    )


def _longest_paragraph(text: str, tree: HtmlElement) -> HtmlElement | None:
    """The paragraph element the body's longest paragraph comes from: the article's own
    text, where a short first line may be a teaser's that the page lists elsewhere too."""
    longest = max(text.split("\n"), key=len)
    if len(longest) < _ANCHOR_CHARS:
        return None
    # XPath's normalize-space squashes spaces as _squashed does, in C: far cheaper than
    # reading every paragraph's text in Python.
    found = _PARAGRAPH_STARTING(tree, anchor=_squashed(longest)[:_ANCHOR_CHARS])
    return found[0] if isinstance(found, list) and found else None


def _continuations(start: HtmlElement) -> list[HtmlElement]:
    """Containers of the same kind as the one holding ``start``, after it and near it in
    the page (under a common ancestor at most ``_MAX_LEVELS`` above it)."""
    container = start.getparent()
    if container is None or not (kind := _kind(container)):
        return []
    scope = container
    for _ in range(_MAX_LEVELS):
        scope = scope.getparent() if scope.getparent() is not None else scope
    story = _story(container)
    later = False
    found = []
    for element in scope.iter(container.tag):
        if element is container:
            later = True
        elif (
            later
            and element.get("class")
            and _kind(element) == kind
            and container not in element.iterancestors()
            and len(_squashed(element.text_content())) >= _MIN_CONTINUATION_CHARS
            and _story(element) == story
        ):
            found.append(element)
    return found


def _story(element: HtmlElement) -> tuple[HtmlElement | None, object]:
    """Which story of the page ``element`` is in: its ``<article>`` (if any) and how many
    headlines come before it. Pages that load the next story below the first give its body
    the same container, under an article or a headline of its own."""
    return next(element.iterancestors("article"), None), _HEADLINES_BEFORE(element)


def _new_lines(part: HtmlElement, known: str) -> list[str]:
    """The lines of ``part``'s text that the body (``known``, squashed) lacks, if they are
    most of it: a part repeating what was extracted already (a credits box the page shows
    twice, a paragraph in a wrapper of its own) adds nothing."""
    if _squashed(part.text_content())[:_ANCHOR_CHARS] in known:
        return []  # it starts as the body does: no need to read it
    # The same extractor reads the part, so adverts and scripts inside go as before.
    html = tostring(part, encoding="unicode")
    text = trafilatura.extract(f"<html><body><article>{html}</article></body></html>") or ""
    lines = [line for line in text.split("\n") if line.strip()]
    # A line is known by its opening: the fragment's lines may break where the page's did not.
    new = [line for line in lines if _squashed(line)[:_ANCHOR_CHARS] not in known]
    new_chars = sum(map(len, new))
    if new_chars < _MIN_CONTINUATION_CHARS or new_chars < _MIN_NEW_SHARE * sum(map(len, lines)):
        return []
    return new


def continued_body(text: str, tree: HtmlElement | None) -> str:
    """``text`` with the article's later parts appended, when the page splits it into
    containers of one kind (see the module docstring)."""
    if tree is None or not text:
        return text
    start = _longest_paragraph(text, tree)
    parts = _continuations(start) if start is not None else []
    known = _squashed(text)
    extra = [line for part in parts for line in _new_lines(part, known)]
    return "\n".join([text, *extra])
