"""A script-rendered page's article is found in its Next.js flight payload."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from crawler.extraction.body import finish_body
from crawler.extraction.flight_data import flight_html

ARTICLE = (
    "<p>장관은 29일 회담이 다음 달 재개된다고 밝혔다. 양측은 국경 문제를 논의한다.</p>"
    "<p>The ministry said talks on the border crossing would resume next month in Seoul.</p>"
    "<p>Negotiators from both sides agreed to meet again before the end of the year.</p>"
)


def _record(key: str, text: str) -> str:
    return f"{key}:T{len(text.encode('utf-8')):x},{text}"


def _page(*records: str) -> lxml_html.HtmlElement:
    flight = "\n".join(records)
    # Next.js splits the payload over several pushes; a record may span two of them.
    half = len(flight) // 2
    scripts = "".join(
        f"<script>self.__next_f.push({json.dumps([1, part])})</script>"
        for part in (flight[:half], flight[half:])
    )
    return lxml_html.fromstring(f"<html><body><div id='root'></div>{scripts}</body></html>")


def test_finds_the_longest_html_record_with_paragraphs() -> None:
    page = _page(
        '1:["$","div",null,{}]', _record("2", "<p>Short teaser.</p>"), _record("a", ARTICLE)
    )
    assert flight_html(page) == ARTICLE


def test_no_payload_no_html() -> None:
    assert flight_html(lxml_html.fromstring("<html><body><p>Plain page.</p></body></html>")) is None


def test_empty_extraction_falls_back_to_the_payload() -> None:
    body = finish_body("", _page(_record("a", ARTICLE)), [], None)
    assert body.startswith("장관은 29일") and body.endswith("before the end of the year.")
