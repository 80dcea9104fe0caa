"""The sources file is validated on load, with errors naming file, source and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import SourcesError, load_sources


def test_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: yonhap\n    name: Yonhap\n    homepage: https://en.yna.co.kr/\n"
        "    country: KR\n    feeds: [https://en.yna.co.kr/RSS/news.xml]\n"
    )
    registry = load_sources(path)
    assert registry.by_id("yonhap").allowed_domains == ["en.yna.co.kr"]


def test_bad_field_names_file_source_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - id: kcna\n    name: KCNA\n    homepage: not a url\n")
    with pytest.raises(SourcesError) as raised:
        load_sources(path)
    message = str(raised.value)
    assert str(path) in message
    assert "source 'kcna', field homepage" in message


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    entry = "  - id: a\n    name: A\n    homepage: https://a.example/\n"
    path.write_text("sources:\n" + entry + entry)
    with pytest.raises(SourcesError, match="duplicate source ids: a"):
        load_sources(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="no such sources file"):
        load_sources(tmp_path / "absent.yaml")


def test_bad_section_pattern_names_source_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: kcna\n    name: KCNA\n    homepage: https://kcna.example/\n"
        "    sections:\n      - url: https://kcna.example/news\n        article_pattern: '(['\n"
    )
    with pytest.raises(SourcesError) as raised:
        load_sources(path)
    message = str(raised.value)
    assert str(path) in message
    assert "source 'kcna', field sections.0.article_pattern" in message
    assert "not a valid regular expression" in message


def test_shipped_registry_is_valid() -> None:
    registry = load_sources(Path(__file__).resolve().parents[2] / "crawler/sources/registry.yaml")
    assert {"yonhap", "nknews", "tass", "kyodo"} <= {source.id for source in registry.sources}


def test_shipped_registry_has_outlets_in_the_regions_languages() -> None:
    registry = load_sources(Path(__file__).resolve().parents[2] / "crawler/sources/registry.yaml")
    languages = {language for source in registry.sources for language in source.languages}
    assert {"ko", "ja", "zh", "ru"} <= languages
