"""Pages are decoded right even when the HTTP header names the wrong charset."""

from __future__ import annotations

from crawler.extraction.encoding import decode_html

TEXT = "Café society in Zürich: «déjà vu» — €5."


def _page(charset: str) -> bytes:
    return f'<html><head><meta charset="{charset}"></head><body>{TEXT}</body></html>'.encode(
        charset
    )


def test_header_that_lies_loses_to_the_meta_declaration() -> None:
    assert TEXT in decode_html(_page("windows-1252"), "utf-8")


def test_truthful_header_is_used() -> None:
    assert TEXT in decode_html(_page("utf-8"), "utf-8")


def test_no_header_falls_back_to_the_document() -> None:
    assert TEXT in decode_html(_page("windows-1252"), None)
