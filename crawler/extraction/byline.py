"""Read the byline a reader sees under the headline, for pages whose metadata names no person.

Many pages declare only their outlet as the author (JSON-LD ``Organization``, ``og:site_name``)
while the page itself prints "By Jane Doe". HTML has common conventions for that line, shared
across publishers and CMSs: ``rel="author"`` links, schema.org microdata
(``itemprop="author"``), hAtom/hCard (``class="author vcard"``) and class or id names that
contain "author" or "byline". The first such block after the ``<h1>`` is the article's own;
later ones belong to embedded videos, teasers of other articles and comments.

Smaller sites type the byline into the article itself: a paragraph holding nothing but an
emphasised name, among the first paragraphs or signing off the last ones. That line is read
too, as a weaker source, and so is a header line typed as a credit without any markup ("By
Outlet, in News", or a lone name beside the date). So are the people the page labels as its
editors ("Editor: Jane Doe", the Chinese "责编"), because some pages declare the editor, not
the writer, as the article's author, and some credit nobody else.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BYLINE_LABEL", "Byline", "read_byline"]

_MARKER = re.compile("author|byline", re.IGNORECASE)
# The word that introduces a byline, in the languages of the sources ("By", "Von:", "Par").
BYLINE_LABEL = r"(?:(?:written\s+)?by|von|par|por|di|door|av|af|autor|author|text|текст|автор)"
# An element that starts with the label alone and holds the names in its children
# ("<li>Von: <a>Jane Doe</a></li>") is a byline whatever its class.
_LABEL_ONLY = re.compile(rf"{BYLINE_LABEL}\s*:?", re.IGNORECASE)
# A line typed as a credit: the label opening an element, then a capitalised word ("By TPN,
# in <a>News</a>"). Only the element's own leading text is read; its links are sections.
_LABELLED = re.compile(rf"(?:{BYLINE_LABEL})\s*:?\s+(?=[^\W\d_])", re.IGNORECASE)
# Reader comments, navigation and forms name people too, but never the article's authors.
_OUTSIDE_ARTICLE = {"nav", "aside", "form", "script", "style", "noscript", "template"}
_COMMENT = "comment"
# A byline block is a line or two; anything longer is a section that happens to be named
# "author" (an author page, a whole article container), not a byline.
_MAX_BLOCK_CHARS = 300
_EMPHASIS = {"strong", "b", "em", "i"}
# An in-text byline opens the article (after a kicker or a standfirst) or signs it off.
_OPENING_PARAGRAPHS = 3
_CLOSING_PARAGRAPHS = 2
_MIN_BODY_PARAGRAPHS = 3
_MAX_CREDIT_WORDS = 8
_MAX_NAME_WORDS = 4
_SENTENCE_END = (".", "?", "!", ":", "…")
# The label alone: "Editor: X" or "Edited by X", not "Editorials" or "Editor's note".
# Chinese pages sign off with the responsible editor: "(责编" or "責任編輯", a full-width
# colon, the names.
_EDITOR_LABEL = re.compile(
    # One optional bracket, not "\s*[(]?\s*": that backtracks quadratically on the long
    # whitespace runs of indented markup.
    r"^\s*(?:[(\uff08]\s*)?"
    r"(?:editor\s*:|edited\s+by\b\s*:?|(?:责编|责任编辑|責任編輯|编辑|編輯)\s*[:\uff1a])\s*",
    re.IGNORECASE,
)
_BRACKETS = " ()\uff08\uff09"


@dataclass
class Byline:
    """The article's visible byline: every entry's text, and those marked up as authors."""

    entries: list[str] = field(default_factory=list)
    # ``rel="author"`` / ``itemprop="author"``: one element per person, by a standard.
    marked: list[str] = field(default_factory=list)
    # A paragraph of the article that is only an emphasised name ("<p><b>Jane Doe</b></p>").
    in_text: list[str] = field(default_factory=list)
    # Whoever the page labels as editor ("Editor: Jane Doe"), which makes them no author.
    editors: list[str] = field(default_factory=list)
    # Without a marked-up byline, a header line typed as one ("By Outlet, in News").
    typed: list[str] = field(default_factory=list)


def _text(element: Any) -> str:
    # Joined with spaces: adjacent inline elements ("<b>Name</b><i>Reporter</i>") are
    # separate words to a reader even without whitespace in the markup.
    return " ".join(" ".join(element.itertext()).split())


def _is_marked(element: Any) -> bool:
    rel = (element.get("rel") or "").casefold().split()
    return "author" in rel or "author" in (element.get("itemprop") or "").casefold().split()


def _is_byline(element: Any) -> bool:
    if not isinstance(element.tag, str):
        return False  # comments and processing instructions
    children = len(element)
    if not children and not element.attrib:
        return False  # most elements of a page: nothing here could mark a byline
    if _is_marked(element):
        return True
    if _MARKER.search(element.get("class") or "") or _MARKER.search(element.get("id") or ""):
        return True
    return children > 0 and bool(_LABEL_ONLY.fullmatch((element.text or "").strip()))


def _in_article(element: Any) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in _OUTSIDE_ARTICLE:
            return False
        if _COMMENT in f"{node.get('class', '')} {node.get('id', '')}".casefold():
            return False
    return True


def _first_candidate(tree: Any) -> Any | None:
    """The first non-empty byline element after the first ``<h1>``, else the first at all."""
    first = after_headline = None
    seen_headline = False
    for node in tree.iter():
        if node.tag == "h1":
            seen_headline = True
        elif _is_byline(node) and _in_article(node) and _text(node):
            first = first if first is not None else node
            if seen_headline:
                after_headline = node
                break
    return after_headline if after_headline is not None else first


def _block(first: Any) -> Any:
    """The outermost short byline element around ``first`` (all co-authors share it)."""
    block = first
    for ancestor in first.iterancestors():
        if len(_text(ancestor)) > _MAX_BLOCK_CHARS:
            break
        if _is_byline(ancestor):
            block = ancestor
    return block


def _inner(node: Any) -> list[Any]:
    return [child for child in node.iter() if _is_byline(child) and _text(child)]


def _body_paragraphs(tree: Any) -> list[Any]:
    """The non-empty ``<p>`` children of the element that holds most of them: the body."""
    parents = Counter(paragraph.getparent() for paragraph in tree.iter("p"))
    if not parents:
        return []
    body, count = parents.most_common(1)[0]
    if count < _MIN_BODY_PARAGRAPHS:
        return []
    return [child for child in body if child.tag == "p" and _text(child)]


def _emphasised_line(paragraph: Any) -> str | None:
    """The paragraph's text when one ``<b>``/``<strong>``/``<em>``/``<i>`` holds all of it."""
    children = [child for child in paragraph if isinstance(child.tag, str)]
    if len(children) != 1 or children[0].tag not in _EMPHASIS:
        return None
    if (paragraph.text or "").strip() or (children[0].tail or "").strip():
        return None
    return _text(paragraph)


def _in_text_credit(tree: Any) -> list[str]:
    paragraphs = _body_paragraphs(tree)
    edges = paragraphs[:_OPENING_PARAGRAPHS] + paragraphs[-_CLOSING_PARAGRAPHS:]
    for paragraph in edges:
        line = _emphasised_line(paragraph)
        # A sentence or a subheading is longer or ends like a sentence; a name does not.
        if line and len(line.split()) <= _MAX_CREDIT_WORDS and not line.endswith(_SENTENCE_END):
            return [line]
    return []


def _header(tree: Any) -> Iterator[Any]:
    """Every element after the first ``<h1>`` inside its parent: the article header."""
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return
    for sibling in headline.itersiblings():
        if isinstance(sibling.tag, str):
            yield from sibling.iter()


def _is_name_before_date(node: Any) -> bool:
    """A leaf holding only a capitalised name, beside the date: "Jane Doe | 05.04.2025"."""
    if len(node) or not isinstance(node.tag, str):
        return False
    words = (node.text or "").replace("|", " ").split()
    if not 2 <= len(words) <= _MAX_NAME_WORDS or not all(w[:1].isupper() for w in words):
        return False
    after = next((s for s in node.itersiblings() if isinstance(s.tag, str)), None)
    return after is not None and any(char.isdigit() for char in _text(after))


def _typed_credit(tree: Any) -> list[str]:
    """The article header's first line typed as a credit, when nothing marks a byline up.

    A line opening an element with a byline label ("By Outlet, in <a>News</a>": only the
    element's own text, its links are sections), or a lone name beside the date.
    """
    for node in _header(tree):
        line = " ".join((node.text or "").split())
        labelled = bool(_LABELLED.match(line)) and line[:1].isupper()
        if (labelled and len(line.split()) <= _MAX_CREDIT_WORDS) or _is_name_before_date(node):
            return [line.rstrip(" |")]
    return []


def _editors(tree: Any) -> list[str]:
    """Texts after an "Editor:" label that opens an element ("Editor: <a>Jane Doe</a>")."""
    found: list[str] = []
    for node in tree.iter():
        label = _EDITOR_LABEL.match(node.text or "") if isinstance(node.tag, str) else None
        if label and (name := _EDITOR_LABEL.sub("", _text(node), count=1).strip(_BRACKETS)):
            found.append(name)
    return found


def read_byline(tree: Any) -> Byline:
    """The article's byline as the page shows it, uncleaned ("von Jane Doe, Outlet").

    Its entries, those marked up as authors, the in-text credit and the labelled editors.
    """
    first = _first_candidate(tree)
    if first is None:
        return Byline(
            in_text=_in_text_credit(tree), typed=_typed_credit(tree), editors=_editors(tree)
        )
    block = _block(first)
    entries = [node for node in block.iter() if _is_byline(node) and _text(node)]
    # Innermost entries only: a wrapper's text repeats its children's.
    leaves = [node for node in entries if all(inner is node for inner in _inner(node))]
    leaves = leaves or [block]
    return Byline(
        entries=[_text(node) for node in leaves],
        marked=[_text(node) for node in leaves if _is_marked(node)],
        in_text=_in_text_credit(tree),
        editors=_editors(tree),
    )
