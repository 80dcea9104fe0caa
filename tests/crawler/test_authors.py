"""Authors are the people named, not the outlet, split and cleaned of byline furniture."""

from __future__ import annotations

from crawler.extraction.authors import choose_authors
from crawler.extraction.byline import Byline
from crawler.extraction.metadata import PageMetadata


def test_a_person_entry_named_after_the_site_is_no_person() -> None:
    found = PageMetadata(person_authors=["By Jane Doe", "The Outlet"], site_names=["The Outlet"])
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


def test_organisations_credited_beside_a_person_are_kept() -> None:
    # An agency, and the outlet itself when its JSON-LD lists it as a co-author.
    found = PageMetadata(
        person_authors=["Paula Steiger"],
        organization_authors=["SDA", "Tages-Anzeiger"],
        site_names=["Tages-Anzeiger"],
    )
    assert choose_authors(found, []) == ["Paula Steiger", "SDA", "Tages-Anzeiger"]
    # A lower-case hyphenated outlet name is its brand, not a URL slug.
    branded = PageMetadata(
        person_authors=["Jan Holm"], organization_authors=["t-online"], site_names=["t-online"]
    )
    assert choose_authors(branded, []) == ["Jan Holm", "t-online"]


def test_a_typed_header_credit_comes_after_every_declared_one() -> None:
    typed = Byline(typed=["By TPN, in"])
    assert choose_authors(PageMetadata(byline=typed), []) == ["TPN"]
    declared = PageMetadata(organization_authors=["Outlet"], byline=typed)
    assert choose_authors(declared, []) == ["Outlet"]


def test_the_editor_is_credited_only_when_nobody_else_is() -> None:
    editors = Byline(editors=["牛镛、岳弘彬"])
    assert choose_authors(PageMetadata(byline=editors), ["Fallback"]) == ["牛镛", "岳弘彬"]
    found = PageMetadata(meta_authors=["Ann Lee"], byline=editors)
    assert choose_authors(found, []) == ["Ann Lee"]


def test_visible_byline_names_the_people_when_metadata_credits_the_outlet() -> None:
    found = PageMetadata(
        organization_authors=["Outlet"],
        site_names=["Outlet"],
        byline=Byline(entries=["von Jane Doe, Outlet Berlin", "20. November 2026", "3 Min"]),
    )
    assert choose_authors(found, []) == ["Jane Doe"]


def test_byline_labels_and_companies_are_not_people() -> None:
    labels = Byline(entries=["Reporter", "outlet news", "Outlet Holdings Inc."])
    found = PageMetadata(organization_authors=["Outlet"], byline=labels)
    assert choose_authors(found, []) == ["Outlet"]


def test_in_text_credit_is_the_last_source_of_people() -> None:
    found = PageMetadata(
        meta_authors=["VnOutlet"],
        site_names=["Báo VnOutlet"],
        byline=Byline(in_text=["Jane Doe/John Roe"]),
    )
    assert choose_authors(found, []) == ["Jane Doe", "John Roe"]


def test_meta_tag_crediting_the_outlet_is_not_split_into_people() -> None:
    found = PageMetadata(
        meta_authors=["outlet.example, Frankfurt, Germany"],
        organization_authors=["Redaktion outlet.example"],
    )
    url = "https://www.outlet.example/a/1"
    assert choose_authors(found, [], url) == ["Redaktion outlet.example"]


def test_outlet_declared_as_person_is_kept_when_it_is_all_there_is() -> None:
    found = PageMetadata(person_authors=["outlet.example"], site_names=["outlet.example"])
    assert choose_authors(found, ["Outlet Example"]) == ["outlet.example"]


def test_marked_co_authors_complete_the_declared_people_they_confirm() -> None:
    both = Byline(marked=["Ann Lee", "Bo Kim"])
    assert choose_authors(PageMetadata(person_authors=["Ann Lee"], byline=both), []) == [
        "Ann Lee",
        "Bo Kim",
    ]
    others = Byline(marked=["Cy Park", "Bo Kim"])
    found = PageMetadata(person_authors=["Ann Lee"], byline=others)
    assert choose_authors(found, []) == ["Ann Lee"]


def test_newsroom_credit_in_the_text_when_nobody_else_is_named() -> None:
    found = PageMetadata(byline=Byline(in_text=["Newsdesk"]))
    assert choose_authors(found, ["Fallback Name"]) == ["Newsdesk"]
    assert choose_authors(PageMetadata(byline=Byline(in_text=["***"])), []) == []


def test_long_runs_of_unspaced_script_are_phrases_not_names() -> None:
    phrase = PageMetadata(
        byline=Byline(in_text=["\u5206\u4eab\u8ba9\u66f4\u591a\u4eba\u770b\u5230"])
    )
    assert choose_authors(phrase, []) == []
    name = PageMetadata(organization_authors=["新聞"], byline=Byline(entries=["松岡大地"]))
    assert choose_authors(name, []) == ["松岡大地"]


def test_declared_person_labelled_editor_gives_way_to_the_byline() -> None:
    found = PageMetadata(
        person_authors=["Bo Kim"],
        meta_authors=["outlet.example developer"],
        byline=Byline(entries=["Ann Lee"], editors=["Bo Kim"]),
    )
    assert choose_authors(found, [], "https://outlet.example/a") == ["Ann Lee"]


def test_an_account_named_after_the_outlet_is_no_author() -> None:
    found = PageMetadata(
        person_authors=["Herald D"],
        site_names=["Herald News"],
        byline=Byline(entries=["Herald D"], in_text=["JANE DOE"]),
    )
    assert choose_authors(found, [], "https://heraldnews.example/a") == ["JANE DOE"]
