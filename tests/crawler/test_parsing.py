"""Pages parse into the tree trafilatura's own loader would build, with the same fallbacks."""

from __future__ import annotations

import lxml.html
from trafilatura.utils import load_html

from crawler.extraction.parsing import parse_html

_PAGE = "<html><head><title>T</title></head><body><!-- c --><p>One <b>two</b></p></body></html>"


def test_a_page_parses_as_trafilatura_parses_it() -> None:
    mine, theirs = parse_html(_PAGE), load_html(_PAGE)
    assert mine is not None and theirs is not None
    assert lxml.html.tostring(mine) == lxml.html.tostring(theirs)


def test_every_element_is_an_html_element_with_its_methods() -> None:
    tree = parse_html(_PAGE.replace("<p>", "<form><input name='q'></form><p>"))
    assert tree is not None
    assert [p.text_content() for p in tree.iter("p")] == ["One two"]
    assert all(isinstance(node, lxml.html.HtmlElement) for node in tree.iter())


def test_a_string_with_an_encoding_declaration_still_parses() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?>' + _PAGE
    tree = parse_html(page)
    assert tree is not None and tree.findtext(".//title") == "T"


def test_text_that_is_no_html_is_rejected() -> None:
    assert parse_html("just a line of text, no markup") is None
