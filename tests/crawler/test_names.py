"""Credits are split into names without labels, job titles, dates or descriptions."""

from __future__ import annotations

from crawler.extraction.names import clean_names, looks_like_credit, looks_like_person, split_names


def test_drops_job_titles_after_the_name() -> None:
    assert split_names("By JANE DOE, AP Sports Writer") == ["JANE DOE"]
    assert split_names("Текст: Анна Петрова") == ["Анна Петрова"]


def test_cuts_a_name_at_the_first_word_that_cannot_belong_to_it() -> None:
    assert split_names("By Jane Doe on Monday, November 18th") == ["Jane Doe"]
    assert split_names("Chus del Pino") == ["Chus del Pino"]
    assert split_names("Redaktion outlet.example") == ["Redaktion outlet.example"]


def test_a_description_is_not_shortened_into_a_name() -> None:
    credit = "Ann Lee, professor of economics at the university of somewhere"
    assert split_names(credit) == ["Ann Lee"]


def test_clean_names_drops_repeats_across_credits() -> None:
    assert clean_names(["By Ann Lee", "ANN LEE and Bo Kim"]) == ["Ann Lee", "Bo Kim"]


def test_persons_and_credits() -> None:
    assert looks_like_person("Ann Lee") and looks_like_person("松岡大地")
    assert not looks_like_person("Reporter") and not looks_like_person("follow us")
    assert not looks_like_person("Outlet Holdings Inc.")
    assert looks_like_credit("Newsdesk") and not looks_like_credit("newsdesk")
