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


def test_uses_heading_confirmed_by_meta_title() -> None:
    found = PageMetadata(
        meta_titles=["Missile test | Site"],
        site_names=["Site"],
        headings=["Site", "Missile test"],
    )
    assert choose_title(found) == "Missile test"
