"""Mark the parts of a page that are not its article, before the main-content extractor reads it.

Four kinds of blocks sit inside or beside the article's container and end up in extracted text:

- link lists: related-story teasers, breadcrumbs, tag clouds and "more on this" boxes are lists
  whose every item is a link and much of whose text is link text; a list that belongs to the
  article (steps, facts, quoted points) is prose, with a link here and there at most;
- other articles: an HTML ``<article>`` is one self-contained composition, and the page's own is
  the one holding its ``<h1>``; further full-size ``<article>`` elements that neither contain it
  nor sit inside it are other stories (infinite scroll, "you may also like" posts);
- widgets: a small block around a form field (checkbox, choice, text field) is a consent
  placeholder, a newsletter or a poll box, never prose;
- asides: blocks ARIA declares complementary, and fact boxes named so by their class, hold
  background beside the story, not the story.

Marked elements carry :data:`PRUNE_MARK`; trafilatura is told to prune :data:`PRUNE_XPATH`
after it has read the page's metadata, so bylines and dates there are still seen.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

__all__ = [
    "PRUNE_MARK",
    "PRUNE_XPATH",
    "mark_asides",
    "mark_control_boxes",
    "mark_link_lists",
    "mark_other_articles",
    "mark_page",
]

PRUNE_MARK = "data-newsloom-prune"
PRUNE_XPATH = f"//*[@{PRUNE_MARK}]"

_MIN_ITEMS = 2
# Share of a list's text inside links from which it is navigation, not prose: a teaser list
# item is a linked headline with a line of description, so a third or more is link text.
_MIN_LINK_DENSITY = 0.3
# An <article> this long (characters, no spaces) is a story, not a teaser card.
_MIN_ARTICLE_CHARS = 400
# Form controls, and the most text (characters, no spaces) a widget around one holds: a consent
# notice or newsletter pitch is a few sentences, an article's container is far longer.
# Buttons are left out: pages put "read more", play and share buttons inside the story's own
# text blocks, while a field to fill in or tick never belongs to a story.
_CONTROL_TAGS = ("input", "select", "textarea")
# Inputs that are buttons or carry nothing visible.
_BUTTON_INPUTS = ("hidden", "button", "submit", "reset", "image")
_MAX_CONTROL_BOX_CHARS = 700
_CONTAINER_TAGS = ("body", "html", "article", "main")
# A class token naming a fact box ("infobox", "fact-box", "Infobox-items"):
# the name CMSs give the panel of background facts set beside or inside a story.
_FACT_BOX = re.compile(r"(?:[a-z]+-)?(?:info|facts?|fakta|fakten)[-_]?box(?:$|[-_])", re.I)
# Compiled once: the candidates (a "box" class, a role) are few, the page's elements many.
_BOXES = etree.XPath(
    "//body//*[@role='complementary' or contains(@class, 'box') or contains(@class, 'Box')]"
)


def _text_length(element: HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def _is_link_list(items: list[HtmlElement], list_element: HtmlElement) -> bool:
    if len(items) < _MIN_ITEMS or any(item.find(".//a") is None for item in items):
        return False
    total = _text_length(list_element)
    linked = sum(_text_length(link) for link in list_element.iter("a"))
    return total > 0 and linked >= _MIN_LINK_DENSITY * total


def mark_link_lists(tree: HtmlElement) -> int:
    """Mark every list of ``tree`` that is a list of links; return how many were marked."""
    marked = 0
    for list_element in tree.iter("ul", "ol"):
        items = [child for child in list_element if child.tag == "li"]
        if _is_link_list(items, list_element):
            list_element.set(PRUNE_MARK, "")
            marked += 1
    return marked


def mark_other_articles(tree: HtmlElement) -> int:
    """Mark full-size ``<article>`` elements other than the one holding the page's ``<h1>``."""
    heading = tree.find(".//body//h1")
    own = next(heading.iterancestors("article"), None) if heading is not None else None
    if own is None:
        return 0  # no way to tell which article is the page's: leave them all
    related = {own, *own.iterancestors("article")}
    marked = 0
    for article in tree.iter("article"):
        if article in related or own in article.iterancestors("article"):
            continue
        if _text_length(article) >= _MIN_ARTICLE_CHARS:
            article.set(PRUNE_MARK, "")
            marked += 1
    return marked


def _text_length_beyond(element: HtmlElement, limit: int) -> int:
    """The text length of ``element``, counted only until it passes ``limit`` (pages are big)."""
    length = 0
    for text in element.itertext():
        length += len("".join(text.split()))
        if length > limit:
            break
    return length


def _control_box(
    control: HtmlElement, headline_holders: set[HtmlElement], lengths: dict[HtmlElement, int]
) -> HtmlElement | None:
    """The largest small block around a form control that holds neither headline nor article.

    ``headline_holders`` are the elements holding an ``<h1>``; ``lengths`` caches each
    ancestor's text length, since the controls of one form share their ancestors.
    """
    box, box_length = None, 0
    for ancestor in control.iterancestors():
        if ancestor.tag in _CONTAINER_TAGS or ancestor in headline_holders:
            break
        length = lengths.get(ancestor)
        if length is None:
            length = lengths[ancestor] = _text_length_beyond(ancestor, _MAX_CONTROL_BOX_CHARS)
        if length > _MAX_CONTROL_BOX_CHARS:
            break
        box, box_length = ancestor, length
    if box is None or box_length == 0:
        return None
    parent = box.getparent()
    if parent is None or _text_length_beyond(parent, 2 * box_length) <= 2 * box_length:
        return None  # the block is most of what surrounds it: a short story, not a widget in one
    return box


def mark_control_boxes(tree: HtmlElement) -> int:
    """Mark the small blocks that hold a form control; return how many were marked.

    Article prose never holds a checkbox, a choice or a text field; consent placeholders for
    embedded content ("show external content" with a checkbox), newsletter and poll boxes do.
    The extractor drops the control itself but keeps the words around it, so the block the
    control sits in goes, as long as it is small (a widget, not the story's container).
    """
    marked = 0
    headline_holders = {holder for h1 in tree.iter("h1") for holder in h1.iterancestors()}
    lengths: dict[HtmlElement, int] = {}
    for control in tree.iter(*_CONTROL_TAGS):
        if control.tag == "input" and control.get("type", "").lower() in _BUTTON_INPUTS:
            continue
        box = _control_box(control, headline_holders, lengths)
        if box is not None and box.get(PRUNE_MARK) is None:
            box.set(PRUNE_MARK, "")
            marked += 1
    return marked


def _is_aside(element: HtmlElement) -> bool:
    if element.get("role") == "complementary":
        return True
    return any(_FACT_BOX.match(token) for token in (element.get("class") or "").split())


def mark_asides(tree: HtmlElement) -> int:
    """Mark the boxes set apart from the story: ARIA complementary blocks and fact boxes.

    Fact boxes, "more on this" panels and sidebars sit in the story's own container, often as
    a ``<div>`` or a custom element; ``role="complementary"`` (what ``<aside>`` means) or a
    fact-box class says what they are. A box that holds the ``<h1>`` is the main column.
    """
    marked = 0
    for box in _BOXES(tree):
        if _is_aside(box) and box.find(".//h1") is None and box.get(PRUNE_MARK) is None:
            box.set(PRUNE_MARK, "")
            marked += 1
    return marked


def mark_page(tree: HtmlElement) -> int:
    """Mark link lists, other articles, control boxes and asides of ``tree``; return how many."""
    return (
        mark_link_lists(tree)
        + mark_other_articles(tree)
        + mark_control_boxes(tree)
        + mark_asides(tree)
    )
