"""Authors are the people named, not the outlet, split and cleaned of byline furniture."""

from __future__ import annotations

from crawler.extraction.authors import choose_authors
from crawler.extraction.metadata import PageMetadata


def test_people_win_over_organisations_and_site_name() -> None:
    found = PageMetadata(
        person_authors=["By Jane Doe", "The Outlet"],
        organization_authors=["The Outlet"],
        site_names=["The Outlet"],
    )
    assert choose_authors(found, ["Fallback"]) == ["Jane Doe"]


def test_splits_joined_names_and_drops_non_names() -> None:
    found = PageMetadata(meta_authors=["Anna Berg und Jan Holm, dpa", "a.berg@example.org"])
    assert choose_authors(found, []) == ["Anna Berg", "Jan Holm", "dpa"]


def test_strips_job_titles_initials_and_slugs() -> None:
    found = PageMetadata(person_authors=["신현주 기자", "Elena Ober (obe)", "chuck-ross"])
    assert choose_authors(found, []) == ["신현주", "Elena Ober"]


def test_organisation_only_when_no_person_is_named() -> None:
    found = PageMetadata(organization_authors=["BBC News"])
    assert choose_authors(found, []) == ["BBC News"]
    assert choose_authors(PageMetadata(), ["Jane Doe"]) == ["Jane Doe"]


def test_agency_credited_beside_a_person_is_kept() -> None:
    found = PageMetadata(
        person_authors=["Paula Steiger"],
        organization_authors=["SDA", "Tages-Anzeiger"],
        site_names=["Tages-Anzeiger"],
    )
    assert choose_authors(found, []) == ["Paula Steiger", "SDA"]
