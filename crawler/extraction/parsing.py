"""Parse a page into the lxml tree every extractor and field reader shares.

trafilatura's loader parses with ``lxml.html``'s parser, whose element class lookup is a
Python callback run for every element object lxml hands out (it picks form and input classes
nobody here uses). Every walk over the tree pays it, about a tenth of a page's extraction
time, so pages are parsed with the same options but a lookup lxml resolves in C. Whatever
that parse cannot read goes to trafilatura's loader, which retries and rejects non-HTML.
"""

from __future__ import annotations

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.utils import load_html, repair_faulty_html

__all__ = ["parse_html"]

# trafilatura's parser options, so trees from either parse are read alike.
_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
# A page whose root holds fewer children than a head and a body is left to trafilatura's
# loader, which decides whether it is HTML at all.
_MIN_ROOT_CHILDREN = 2


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree, as trafilatura would parse it (``None`` when it is not HTML)."""
    try:
        tree = lxml.html.fromstring(repair_faulty_html(html, html[:50].lower()), parser=_PARSER)
    except (ValueError, etree.ParserError):
        tree = None
    if tree is None or len(tree) < _MIN_ROOT_CHILDREN:
        return load_html(html)
    return tree
