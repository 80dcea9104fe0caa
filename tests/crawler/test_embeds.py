"""Embedded posts lose the share-box wrappers that would make the extractor discard them."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extraction.embeds import unwrap_embedded_posts

POST = "<blockquote class='twitter-tweet'><p>The talks resume on Monday.</p></blockquote>"


def _tree(body: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(f"<html><body><article>{body}</article></body></html>")


def test_unwraps_boxes_that_hold_only_the_post() -> None:
    tree = _tree(f"<p>Before.</p><div class='social-embed'><div>{POST}</div></div>")
    assert unwrap_embedded_posts(tree) == 2
    assert tree.xpath("//blockquote")[0].getparent().tag == "article"


def test_keeps_a_box_that_holds_more_than_the_post() -> None:
    tree = _tree(f"<div class='social'><p>Share this</p>{POST}</div>")
    assert unwrap_embedded_posts(tree) == 0
    assert tree.xpath("//div[@class='social']")


def test_leaves_other_quotes_alone() -> None:
    tree = _tree("<div class='embed'><blockquote><p>A quote.</p></blockquote></div>")
    assert unwrap_embedded_posts(tree) == 0
