"""Texts from different sources of a page compare word by word."""

from __future__ import annotations

from crawler.extraction.wording import shingles, words


def test_words_ignore_case_punctuation_and_spacing() -> None:
    assert words("“Talks,”  he SAID—resume.") == ["talks", "he", "said", "resume"]


def test_shingles_are_runs_of_four_words() -> None:
    assert list(shingles(words("a b c d e"))) == ["a b c d", "b c d e"]
    assert list(shingles(words("a b"))) == ["a b"]
    assert not shingles([])
