"""The title comes from the declared headline or a confirmed heading, without the site name."""

from __future__ import annotations

from crawler.extraction.metadata import PageMetadata
from crawler.extraction.title import choose_title, strip_site_name


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
