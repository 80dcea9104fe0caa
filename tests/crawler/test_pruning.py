"""Link lists and other stories are marked for pruning; the article and its parts are not."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extraction.pruning import (
    PRUNE_MARK,
    PRUNE_XPATH,
    mark_asides,
    mark_link_lists,
    mark_page,
)


def _marked(body: str) -> list[str]:
    tree = lxml_html.fromstring(f"<html><body>{body}</body></html>")
    mark_link_lists(tree)
    return [element.tag for element in tree.xpath(PRUNE_XPATH)]


def test_marks_a_list_of_related_story_links() -> None:
    related = (
        "<ul><li><a href='/a'>Sanctions widen after launch</a></li>"
        "<li><a href='/b'>Envoy arrives in Seoul</a> today</li></ul>"
    )
    assert _marked(f"<p>Story text.</p>{related}") == ["ul"]


def test_keeps_a_list_of_facts_with_an_occasional_link() -> None:
    facts = (
        "<ol><li>The missile flew 600 km before falling into the sea, officials said.</li>"
        "<li>It was the third launch this month, <a href='/x'>according to</a> the ministry.</li>"
        "</ol>"
    )
    assert _marked(facts) == []


def test_keeps_a_list_of_points_that_each_cite_a_source() -> None:
    points = (
        "<ul><li>Exports of coal fell by a third over the year, <a href='/a'>customs</a> said.</li>"
        "<li>Imports of oil rose slightly in the same period, <a href='/b'>traders</a> said.</li>"
        "</ul>"
    )
    assert _marked(points) == []


def test_keeps_a_list_where_some_items_have_no_link() -> None:
    mixed = "<ul><li><a href='/a'>One</a></li><li>Two, in plain text</li></ul>"
    assert _marked(mixed) == []


def test_a_single_link_is_not_a_list() -> None:
    assert _marked("<ul><li><a href='/a'>Only one</a></li></ul>") == []


def test_mark_is_an_attribute_the_prune_xpath_finds() -> None:
    tree = lxml_html.fromstring("<ul><li><a>a</a></li><li><a>b</a></li></ul>")
    assert mark_link_lists(tree) == 1
    assert tree.get(PRUNE_MARK) == ""


STORY = (
    "<p>"
    + "The envoy said talks would resume after the holiday, officials confirmed. " * 8
    + "</p>"
)


def _page_marks(body: str) -> list[str]:
    tree = lxml_html.fromstring(f"<html><body>{body}</body></html>")
    mark_page(tree)
    return [element.get("id") for element in tree.xpath(PRUNE_XPATH)]


def test_marks_full_size_articles_other_than_the_one_with_the_headline() -> None:
    body = (
        f"<article id='own'><h1>Talks resume</h1>{STORY}</article>"
        f"<article id='next'><h2>Another story</h2>{STORY}</article>"
    )
    assert _page_marks(body) == ["next"]


def test_keeps_articles_nested_in_the_page_article_and_short_teaser_cards() -> None:
    body = (
        f"<article id='own'><h1>Talks resume</h1>{STORY}"
        f"<article id='quoted'>{STORY}</article></article>"
        "<article id='card'><a href='/x'>A teaser</a></article>"
    )
    assert _page_marks(body) == []


def test_leaves_articles_alone_when_the_headline_is_outside_them() -> None:
    body = (
        f"<h1>Talks resume</h1><article id='a'>{STORY}</article><article id='b'>{STORY}</article>"
    )
    assert _page_marks(body) == []


CONSENT = (
    "<div id='consent'><div><p>Recommended external content</p>"
    "<p>Our editors chose external content here that adds to the article.</p>"
    "<input type='checkbox' id='show'><label for='show'>Show external content</label>"
    "<p>I agree that personal data may be passed to third-party platforms.</p></div></div>"
)


def test_marks_a_consent_placeholder_with_a_checkbox_inside_the_story() -> None:
    body = f"<article id='own'><h1>Talks resume</h1><div id='text'>{STORY}{CONSENT}{STORY}</div>"
    assert _page_marks(f"{body}</article>") == ["consent"]


def test_keeps_the_story_around_a_field_and_ignores_hidden_inputs() -> None:
    # The smallest block with the field is the article's text itself: too long to be a widget.
    story = f"<div id='text'>{STORY}{STORY}<input type='search' name='q'></div>"
    hidden = "<p id='note'>A note.<input type='hidden' name='token'></p>"
    assert _page_marks(f"<article id='own'><h1>Talks resume</h1>{story}{hidden}</article>") == []


def test_keeps_a_headline_block_with_a_field() -> None:
    header = "<div id='head'><h1>Talks resume</h1><input type='checkbox' id='save'></div>"
    assert _page_marks(f"{header}{STORY}") == []


def test_keeps_a_short_story_whose_text_block_holds_a_field() -> None:
    brief = "<div id='text'><p>The envoy arrived in Seoul on Monday.</p><textarea></textarea></div>"
    assert _page_marks(f"<article id='own'><h1>Envoy arrives</h1>{brief}</article>") == []


def test_keeps_a_block_of_the_story_with_a_read_more_button() -> None:
    chunk = "<div id='chunk'><p>The envoy arrived on Monday.</p><button>Read more</button></div>"
    body = f"<article id='own'><h1>Envoy arrives</h1><div>{STORY}{chunk}{STORY}</div></article>"
    assert _page_marks(body) == []


def _asides(body: str) -> list[str]:
    tree = lxml_html.fromstring(f"<html><body>{body}</body></html>")
    mark_asides(tree)
    return [element.get("id") for element in tree.xpath(PRUNE_XPATH)]


def test_marks_complementary_blocks_and_fact_boxes_inside_the_story() -> None:
    story = (
        "<div id='story'><h1>Talks resume</h1><p>Story text.</p>"
        "<custom-box id='aria' role='complementary'><p>Facts about talks</p></custom-box>"
        "<div id='facts' class='article-factbox wide'><h3>In numbers</h3><p>3 rounds</p></div>"
        "<div id='info' class='Infobox-items'><p>Background</p></div></div>"
    )
    assert _asides(story) == ["aria", "facts", "info"]


def test_keeps_the_column_holding_the_headline_and_other_boxes() -> None:
    page = (
        "<main id='main' role='complementary'><h1>Talks resume</h1><p>Story text.</p></main>"
        "<div id='text' class='textbox'><p>Story text.</p></div>"
        "<div id='inbox' class='inboxes'><p>Story text.</p></div>"
    )
    assert _asides(page) == []
