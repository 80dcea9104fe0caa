"""Ruby glosses become inline text, so the sentence around them stays whole."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extraction.ruby import flatten_ruby

OPEN, CLOSE = "\uff08", "\uff09"  # the fullwidth parentheses Japanese pages put in <rp>


def test_gloss_becomes_base_and_reading_inline() -> None:
    tree = lxml_html.fromstring(
        f"<p>韓国の<ruby><rb>尹錫悦</rb><rp>{OPEN}</rp><rt>ユンソンニョル</rt><rp>{CLOSE}</rp>"
        "</ruby>大統領は</p>"
    )
    assert flatten_ruby(tree) == 5
    assert [child.tag for child in tree] == []
    assert tree.text_content() == f"韓国の尹錫悦{OPEN}ユンソンニョル{CLOSE}大統領は"
