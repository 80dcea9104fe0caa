"""Headline and lead are cut from the top of the body only when the page confirms them."""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extraction.heading import is_standalone_lead, strip_heading

LEAD = "Officials met on Tuesday to discuss the missile launch and what should come next."
FIRST = "The talks began early and ran late into the evening, officials in the capital said."
SECOND = "Both delegations agreed to meet again next month, according to a joint statement."


def _page(body: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(f"<html><body>{body}</body></html>")


HEADER_LEAD = _page(
    f"<article><header><h1>Talks resume</h1><p class='dek'>{LEAD}</p></header>"
    f"<div class='text'><p>{FIRST}</p><p>{SECOND}</p></div></article>"
)
FIRST_PARAGRAPH = _page(f"<article><h1>Talks resume</h1><p>{LEAD}</p><p>{FIRST}</p></article>")


def test_lead_in_the_header_stands_apart() -> None:
    assert is_standalone_lead(HEADER_LEAD, LEAD) is True


def test_first_paragraph_among_its_fellows_is_not_a_lead() -> None:
    assert is_standalone_lead(FIRST_PARAGRAPH, LEAD) is False


def test_each_paragraph_in_its_own_wrapper_is_still_a_fellow() -> None:
    page = _page("".join(f"<div class='c'><p>{text}</p></div>" for text in (LEAD, FIRST)))
    assert is_standalone_lead(page, LEAD) is False


def test_bold_or_heading_lead_stands_apart_even_among_paragraphs() -> None:
    bold = _page(f"<div><p><strong>{LEAD}</strong></p><p>{FIRST}</p></div>")
    heading = _page(f"<div><h2>{LEAD}</h2><p>{FIRST}</p></div>")
    assert is_standalone_lead(bold, LEAD) is True
    assert is_standalone_lead(heading, LEAD) is True


def test_text_spread_over_elements_is_unknown() -> None:
    assert is_standalone_lead(HEADER_LEAD, f"{LEAD} {FIRST}") is None


def test_strips_lead_that_stands_apart() -> None:
    body = f"{LEAD}\n\n{FIRST}\n\n{SECOND}"
    assert strip_heading(body, [], LEAD, HEADER_LEAD) == f"{FIRST}\n\n{SECOND}"


def test_keeps_first_paragraph_copied_into_the_description() -> None:
    body = f"{LEAD}\n\n{FIRST}"
    assert strip_heading(body, [], LEAD, FIRST_PARAGRAPH) == body


def test_strips_headline_with_kicker_and_section_label() -> None:
    body = f"Diplomacy\n\nSanctions talks Talks resume in Geneva\n\n{FIRST}"
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == FIRST


def test_strips_headline_with_site_name_after_it() -> None:
    body = f"Talks resume in Geneva | Daily Outlet\n\n{FIRST}"
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == FIRST


def test_keeps_long_paragraph_above_a_repeated_headline() -> None:
    body = f"{FIRST}\n\nTalks resume in Geneva\n\n{SECOND}"
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == f"{FIRST}\n\n{SECOND}"


def test_keeps_paragraph_that_only_starts_like_the_headline() -> None:
    body = (
        f"Talks resume in Geneva after a year of silence between the two sides, he said.\n\n{FIRST}"
    )
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == body


def test_strips_leading_lines_that_sit_in_an_html_header() -> None:
    page = _page(f"<article><header><p>Analysis</p><p>By a staff writer</p></header><p>{FIRST}</p>")
    body = f"Analysis\n\nBy a staff writer\n\n{FIRST}"
    assert strip_heading(body, [], None, page) == FIRST


def test_never_cuts_the_only_paragraph_of_a_brief() -> None:
    assert strip_heading(LEAD, [], LEAD, HEADER_LEAD) == LEAD
    assert strip_heading("Talks resume in Geneva", ["Talks resume in Geneva"], None, None) != ""


def test_strips_headline_with_a_kicker_glued_to_its_first_word() -> None:
    body = f"Border crisisTalks resume in Geneva\n\n{FIRST}"
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == FIRST


def test_strips_a_dek_set_as_a_heading_but_keeps_a_section_title() -> None:
    dek = "Officials from both sides say the talks could settle the border dispute this year"
    page = _page(f"<article><h1>Talks resume</h1><h2>{dek}</h2><h2>Background</h2><p>{FIRST}</p>")
    assert strip_heading(f"{dek}\n\n{FIRST}", [], None, page) == FIRST
    assert strip_heading(f"Background\n\n{FIRST}", [], None, page) == f"Background\n\n{FIRST}"


def test_strips_every_bare_repeat_of_the_headline_and_the_short_lines_between() -> None:
    # The page's <title> with the site name, a video's duration line, then the <h1> itself.
    body = (
        f"Talks resume in Geneva | Daily Outlet\n\n02:57 min\n\nTalks resume in Geneva\n\n{FIRST}"
    )
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == FIRST


def test_keeps_a_dateline_that_quotes_the_headline_after_its_first_repeat() -> None:
    dateline = "Geneva, 24 April - Title: Talks resume in Geneva"
    body = f"Talks resume in Geneva | Daily Outlet\n\n{dateline}\n\n{FIRST}"
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == f"{dateline}\n\n{FIRST}"


def test_strips_a_bare_headline_repeated_under_the_story() -> None:
    body = f"{FIRST}\n\n{SECOND}\n\nTalks resume in Geneva"
    assert strip_heading(body, ["Talks resume in Geneva"], None, None) == f"{FIRST}\n\n{SECOND}"
