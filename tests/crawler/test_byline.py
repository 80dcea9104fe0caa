"""The visible byline is the first byline block after the headline, or an in-text credit."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extraction.byline import read_byline

_BODY = "".join(
    f"<p>Paragraph {n} of the article, long enough to read as text.</p>" for n in range(8)
)


def _read(body: str) -> tuple[list[str], list[str], list[str]]:
    byline = read_byline(lxml_html.fromstring(f"<html><body>{body}</body></html>"))
    return byline.entries, byline.marked, byline.in_text


def test_reads_the_first_byline_after_the_headline_only() -> None:
    page = (
        '<nav><a rel="author" href="/login">My account</a></nav>'
        "<h1>Talks resume</h1>"
        '<div class="article-byline"><span class="author-name">By Jane Doe</span>'
        '<span class="byline-date">20 Nov 2026</span></div>'
        f"<div>{_BODY}</div>"
        '<div class="teaser"><span class="teaser__author">By Other Writer</span></div>'
        '<div class="comments"><span class="comment-author">reader42</span></div>'
    )
    assert _read(page)[0] == ["By Jane Doe", "20 Nov 2026"]


def test_co_authors_marked_as_authors_share_one_block() -> None:
    page = (
        "<h1>Talks resume</h1>"
        '<div class="bylines">'
        '<div class="byline"><a rel="author" href="mailto:a@example.org">Ann Lee</a></div>'
        '<div class="byline"><a itemprop="author" href="/bo">Bo Kim</a></div>'
        "</div>"
    )
    entries, marked, _ = _read(page)
    assert entries == marked == ["Ann Lee", "Bo Kim"]


def test_a_long_container_named_author_is_not_the_byline() -> None:
    page = f'<div id="author-layout"><h1>Talks</h1><p class="author">Ann Lee</p>{_BODY}</div>'
    assert _read(page)[0] == ["Ann Lee"]


def test_reads_an_emphasised_name_opening_or_closing_the_article() -> None:
    opening = f"<div><p>&nbsp;</p><p><strong>Jane Doe/John Roe</strong></p>{_BODY}</div>"
    closing = f"<div>{_BODY}<p><em>Jane Doe</em></p><p>Did you like this article?</p></div>"
    assert _read(opening)[2] == ["Jane Doe/John Roe"]
    assert _read(closing)[2] == ["Jane Doe"]


def test_emphasised_sentences_and_mixed_paragraphs_are_not_credits() -> None:
    subheading = f"<div><p><b>The talks broke down on Friday.</b></p>{_BODY}</div>"
    mixed = f"<div><p><b>Jane Doe</b> reports from Seoul</p>{_BODY}</div>"
    assert _read(subheading)[2] == []
    assert _read(mixed)[2] == []


def test_an_element_opening_with_a_byline_label_is_a_byline() -> None:
    page = (
        "<h1>Talks resume</h1><ul><li>5 min read</li>"
        '<li>Von: <span><a href="/a">Ann LEE</a>, </span><span><a href="/b">Bo Kim</a></span></li>'
        "</ul>"
    )
    assert _read(page)[0] == ["Von: Ann LEE , Bo Kim"]


def test_reads_people_labelled_as_editors_only_after_the_label_alone() -> None:
    page = (
        '<h1>Talks resume</h1><div class="author">Ann Lee</div>'
        '<div>Editor : <a href="/staff/bo">Bo Kim</a></div>'
        "<p>Editor's note: an earlier version misspelled a name.</p>"
        '<a href="/editorials">Editorials</a>'
    )
    assert read_byline(lxml_html.fromstring(page)).editors == ["Bo Kim"]


def test_reads_a_chinese_editor_sign_off() -> None:
    names = "\u725b\u955b\u3001\u5cb3\u5f18\u5f6c"  # two names and the ideographic comma
    page = f"<h1>Talks resume</h1>{_BODY}<div>(\u8d23\u7f16\uff1a{names})</div>"
    assert read_byline(lxml_html.fromstring(page)).editors == [names]


def test_reads_a_header_line_typed_as_a_credit() -> None:
    labelled = (
        '<div><h1>Talks resume</h1><p class="lead">The lead.</p>'
        '<p class="small">By TPN, in <a href="/news">News</a>, <a href="/biz">Business</a> '
        "<span>31 Jan 2025</span></p></div>"
    )
    assert read_byline(lxml_html.fromstring(labelled)).typed == ["By TPN, in"]
    beside_date = (
        "<div><h1>Talks resume</h1><h4>The lead.</h4>"
        "<div><span>Ann Lee |</span><span>05.04.2025</span></div></div>"
    )
    assert read_byline(lxml_html.fromstring(beside_date)).typed == ["Ann Lee"]


def test_sentences_and_section_names_in_the_header_are_no_typed_credit() -> None:
    page = (
        "<div><h1>Talks resume</h1>"
        "<p>By Monday the two sides had agreed on a long list of points to settle first.</p>"
        "<div><span>Economy</span><span>05.04.2025</span></div>"
        "<div><span>Read more</span><span>3 min</span></div></div>"
    )
    assert read_byline(lxml_html.fromstring(page)).typed == []
