"""The title comes from the declared headline or a confirmed heading, without the site name."""

from __future__ import annotations

import lxml.html

from crawler.extraction.metadata import PageMetadata, read_metadata
from crawler.extraction.title import choose_title, shown_on, strip_site_name

_HIDDEN_HEADLINE_PAGE = """<html><head>
<title>Pendlers pay 60 percent less | Outlet</title>
<meta property="og:title" content="Pendlers pay 60 percent less">
<script type="application/ld+json">
{{"@type": "NewsArticle", "headline": "Commuters save 60 percent on buses and trains"}}
</script></head>
<body><h1>Pendlers pay 60 percent less</h1>{shown}<p>Body.</p></body></html>"""


def test_strips_site_name_suffix_and_prefix() -> None:
    assert strip_site_name("Sanctions widen | The Outlet", ["The Outlet"]) == "Sanctions widen"
    assert strip_site_name("Outlet - Sanctions widen", ["Outlet"]) == "Sanctions widen"


def test_strips_host_name_when_no_site_name_is_declared() -> None:
    title = "Sanctions widen - Daily Herald"
    assert strip_site_name(title, [], "https://www.dailyherald.example/x") == "Sanctions widen"


def test_keeps_a_headline_whose_tail_is_not_the_site() -> None:
    title = "Report: activist killed - ministry denies"
    assert strip_site_name(title, ["Outlet"], "https://outlet.example/") == title


def test_prefers_declared_headline() -> None:
    found = PageMetadata(headline="Headline", meta_titles=["Other | Site"], headings=["Other"])
    assert choose_title(found) == "Headline"


def test_meta_title_comes_before_the_heading() -> None:
    found = PageMetadata(
        meta_titles=["A 'missile' test | Site"],
        site_names=["Site"],
        headings=["Site", "A \u2018missile\u2019 test"],
    )
    assert choose_title(found) == "A 'missile' test"


def test_uses_heading_confirmed_by_document_title() -> None:
    found = PageMetadata(
        document_title="Missile test | Site", site_names=["Site"], headings=["Site", "Missile test"]
    )
    assert choose_title(found) == "Missile test"


def test_strips_site_name_spelled_differently_by_the_host() -> None:
    title = "Dax falls | Börsen-Zeitung"
    assert strip_site_name(title, [], "https://www.boersen-zeitung.example/a") == "Dax falls"


def test_a_meta_title_that_is_only_the_site_name_names_no_article() -> None:
    found = PageMetadata(
        meta_titles=["The Outlet"],
        site_names=["The Outlet"],
        document_title="Missile test | The Outlet",
        headings=["Missile test"],
    )
    assert choose_title(found) == "Missile test"


def test_a_social_title_the_headline_adds_a_kicker_to_is_the_title() -> None:
    found = PageMetadata(
        headline="Party congress: Leader calls for resistance to the asylum policy",
        meta_titles=["Leader calls for resistance to the asylum policy | Outlet"],
        site_names=["Outlet"],
    )
    assert choose_title(found) == "Leader calls for resistance to the asylum policy"


def test_a_social_title_the_headline_adds_a_tail_to_is_the_title() -> None:
    found = PageMetadata(
        headline="Chelsea send a message of intent in a battling win over Tottenham",
        meta_titles=["Chelsea send a message of intent"],
    )
    assert choose_title(found) == "Chelsea send a message of intent"


def test_a_glued_kicker_is_dropped_but_not_part_of_a_word() -> None:
    glued = PageMetadata(
        headline='MSV-Interim coach Schubert: "Not much left to lose"',
        meta_titles=['Interim coach Schubert: "Not much left to lose"'],
    )
    assert choose_title(glued) == 'Interim coach Schubert: "Not much left to lose"'
    inside_a_word = PageMetadata(
        headline="Counterparts meet in Geneva for talks", meta_titles=["parts meet in Geneva"]
    )
    assert choose_title(inside_a_word) == "Counterparts meet in Geneva for talks"


def test_a_short_shared_phrase_is_no_core() -> None:
    found = PageMetadata(headline="Budget passes after a long night", meta_titles=["Budget passes"])
    assert choose_title(found) == "Budget passes after a long night"


def test_of_two_spellings_that_differ_in_quotes_the_plainer_is_kept() -> None:
    quoted_headline = PageMetadata(
        headline='"Pink hair sparks mockery"... experts explain',
        meta_titles=["Pink hair sparks mockery... experts explain"],
    )
    assert choose_title(quoted_headline) == "Pink hair sparks mockery... experts explain"
    quoted_social = PageMetadata(
        headline="Why fight each other... he asked",
        meta_titles=['"Why fight each other"... he asked'],
    )
    assert choose_title(quoted_social) == "Why fight each other... he asked"
    # The same number of marks, only typographic: the headline's spelling stays.
    curly = PageMetadata(
        headline="Mexico to fight \u2018illogical\u2019 tariffs",
        meta_titles=["Mexico to fight 'illogical' tariffs"],
    )
    assert choose_title(curly) == "Mexico to fight \u2018illogical\u2019 tariffs"


def _title_of_page(html: str) -> str:
    tree = lxml.html.fromstring(html)
    return choose_title(read_metadata(tree), "https://outlet.example/a", shown_on(tree))


def test_a_hidden_headline_yields_to_the_title_every_other_channel_shows() -> None:
    assert _title_of_page(_HIDDEN_HEADLINE_PAGE.format(shown="")) == "Pendlers pay 60 percent less"


def test_a_headline_the_page_shows_stays_against_every_other_channel() -> None:
    shown = "<h2>Commuters save 60 percent on buses and trains</h2>"
    html = _HIDDEN_HEADLINE_PAGE.format(shown=shown)
    assert _title_of_page(html) == "Commuters save 60 percent on buses and trains"


def test_a_hidden_headline_stays_when_the_other_channels_disagree() -> None:
    html = _HIDDEN_HEADLINE_PAGE.format(shown="").replace(
        "<h1>Pendlers pay 60 percent less</h1>", "<h1>Pendlers pay less</h1>"
    )
    assert _title_of_page(html) == "Commuters save 60 percent on buses and trains"
