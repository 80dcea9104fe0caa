"""Notices, prompts and orphan labels after the article's last paragraph are trimmed."""

from __future__ import annotations

import pytest

from crawler.extraction.edges import trim_head, trim_tail

LAST = "The ministry said it would publish the full results of the inquiry next month."
FIRST_OF_TWO = "Investigators spent a year on the case before handing their report to the ministry."


@pytest.mark.parametrize(
    "furniture",
    [
        "Copyright © 2024 The Daily Outlet. All rights reserved.",
        "Write to the reporter at reporter@outlet.example",
        "Follow us @outlet on every network.",
        "More coverage at https://outlet.example/asia",
        "Sign up for our morning newsletter and get the day's top stories.",
        "Like this story? Share it with a friend!",
        "Il vous reste 40% de cet article à lire. La suite est réservée aux abonnés.",
        "Esta funcionalidad es sólo para suscriptores",
        "Reporting by A. Writer; Editing by B. Editor",
        "Two staff writers contributed to this report.",
        "With files from The Associated Press",
        "With reports from Reforma and El Economista",
        "- Additional reporting by A. Writer",
        "MORE: Talks on the border resume next week",
        "READ MORE : Why the summit failed",
        "Please log in again to confirm your display name before commenting.",
        "Follow The Daily Outlet on Google News and add us as a preferred source.",
        "Did you like this article? Then please support us with a donation.",
        "Hat Ihnen dieser Artikel gefallen? Dann unterstützen Sie uns bitte mit einer Spende.",
        "Haberler abonelere sunulur. Abonelik için iletişime geçiniz.",
        "Get our reporting for a small monthly fee. Invest in journalism, invest in democracy.",
        "This is a developing story - more to follow.",
        "First published in The Weekly Review.",
        "Comments",
        "You may also like:",
        "関連記事",
    ],
)
def test_trims_furniture_after_the_last_paragraph(furniture: str) -> None:
    assert trim_tail(f"{LAST}\n\n{furniture}") == LAST


def test_trims_several_pieces_of_furniture_in_a_row() -> None:
    assert trim_tail(f"{LAST}\n\nTags\n\nsanctions, missiles, talks\n\nComments") == LAST


def test_keeps_the_same_words_inside_the_article() -> None:
    body = f"Sign up for the draft was mandatory, the newsletter said.\n\n{LAST}"
    assert trim_tail(body) == body


def test_keeps_a_short_last_sentence_and_a_closing_list_item() -> None:
    for ending in ("He declined to comment.", "- Sanctions on three banks", "交渉は続く。"):
        assert trim_tail(f"{LAST}\n\n{ending}") == f"{LAST}\n\n{ending}"


def test_trims_a_run_of_one_word_list_items_but_not_a_list_of_figures() -> None:
    assert trim_tail(f"{LAST}\n\n- Tags:\n\n- Politics\n\n- Korea") == LAST
    results = f"{LAST}\n\n- 165 votes\n\n- 250 votes"
    assert trim_tail(results) == results
    one = f"{LAST}\n\n- Korea"  # one item alone may be the article's own list
    assert trim_tail(one) == one


def test_keeps_closing_lines_labelled_in_other_case() -> None:
    for ending in ("Thunder: Host the Lakers on Friday.", "Note: the figures are provisional."):
        assert trim_tail(f"{LAST}\n\n{ending}") == f"{LAST}\n\n{ending}"


def test_keeps_a_long_paragraph_even_with_an_address_in_it() -> None:
    long = " ".join(["The report, published at https://ministry.example, found"] * 8) + "."
    assert trim_tail(f"{LAST}\n\n{long}") == f"{LAST}\n\n{long}"


def test_never_empties_the_body() -> None:
    assert trim_tail("Comments") == "Comments"


@pytest.mark.parametrize(
    "small_print",
    [
        "By Jane Roe",
        "Updated: Tue., Nov. 19, 2019",
        "17:41 JST, October 13, 2024",
        "10.11.2025",
        "Reading time: 4 minutes",
    ],
)
def test_trims_header_small_print_above_the_first_paragraph(small_print: str) -> None:
    assert trim_head(f"{small_print}\n\n{LAST}", ["Jane Roe"]) == LAST


def test_keeps_head_lines_that_are_not_bylines_or_dates() -> None:
    for line in ("The 2018 calendar", "Controller in Crystal for $39.99", "5 minerals to know"):
        assert trim_head(f"{line}\n\n{LAST}", ["Jane Roe"]) == f"{line}\n\n{LAST}"


def test_keeps_a_first_sentence_that_names_the_author_or_a_date() -> None:
    body = f"Jane Roe reported from Seoul on 19 November 2019.\n\n{LAST}"
    assert trim_head(body, ["Jane Roe"]) == body


def test_trims_a_tag_list_and_its_label_at_the_end() -> None:
    body = f"{LAST}\n\nTags\n\nsanctions, North Korea, missile tests, United Nations, Seoul"
    assert trim_tail(body) == LAST


def test_keeps_a_closing_sentence_with_commas() -> None:
    ending = "Seoul, Tokyo, Washington and Beijing all condemned the launch, officials said."
    assert trim_tail(f"{LAST}\n\n{ending}") == f"{LAST}\n\n{ending}"


def test_trims_a_bare_link_above_the_story() -> None:
    assert trim_head(f"https://outlet.example/news/talks-resume-123\n\n{LAST}", []) == LAST


def test_trims_a_note_about_a_declared_author_at_the_end() -> None:
    bio = "Jane Roe covers North Korea from Seoul and has reported on the peninsula since 2010."
    assert trim_tail(f"{LAST}\n\n{bio}", ["Jane Roe"]) == LAST
    assert trim_tail(f"{LAST}\n\n{bio}", ["Someone Else"]) == f"{LAST}\n\n{bio}"


def test_trims_a_newsletter_prompt_above_the_story_but_keeps_a_fact_box_with_a_link() -> None:
    prompt = "Start your day with our briefing. Sign up for the free daily newsletter."
    assert trim_head(f"{prompt}\n\n{LAST}", []) == LAST
    facts = "Tested by: A. Rider Price: 24.99 More info: www.maker.example"
    assert trim_head(f"{facts}\n\n{LAST}", []) == f"{facts}\n\n{LAST}"


@pytest.mark.parametrize(
    "box",
    [
        "Newsletter: Asia Morning\n\nEvery weekday the top stories from our correspondents",
        "Join our commenting forum\n\nJoin the conversation and see what other readers reply",
        "Copyright © 2024 The Daily Outlet.\n\nHave you spotted a claim we should check?",
    ],
)
def test_trims_a_prompt_box_with_its_one_line_pitch(box: str) -> None:
    assert trim_tail(f"{FIRST_OF_TWO}\n\n{LAST}\n\n{box}") == f"{FIRST_OF_TWO}\n\n{LAST}"


def test_keeps_a_closing_line_under_a_paragraph_with_an_address() -> None:
    quoted = "The campaign was announced at https://outlet.example/campaign on Monday."
    body = f"{FIRST_OF_TWO}\n\n{quoted}\n\n- A. Writer (@writer) 18 November 2024"
    assert trim_tail(body) == body


def test_keeps_a_closing_sentence_about_following_rules() -> None:
    body = (
        f"{FIRST_OF_TWO}\n\nOfficials said all parties would follow the rules on export controls."
    )
    assert trim_tail(body) == body
