"""Every article response is archived as WARC, and extraction replays from the archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.archive import ArchivedResponse, WarcArchive, read_responses, warc_directory
from crawler.archive.replay import replay_warc
from crawler.sources import Source, load_sources
from newsloom.settings import Settings
from ops.dev.fixture_site.pages import expected_articles
from tests.conftest import run_cli
from tests.crawler.children import crawl_report, start_crawl, write_sources


def test_records_round_trip(tmp_path: Path) -> None:
    archive = WarcArchive.create(tmp_path, "job")
    page = ArchivedResponse(
        "http://a.example/x", 200, {"Content-Type": "text/html"}, b"<p>\xc3\xa9"
    )
    archive.write(page)
    archive.close()
    assert list(read_responses(archive.path)) == [page]


def test_replay_names_pages_without_an_article(tmp_path: Path) -> None:
    archive = WarcArchive.create(tmp_path, "job")
    archive.write(
        ArchivedResponse("http://a.example/doc", 200, {"Content-Type": "application/pdf"}, b"%PDF")
    )
    archive.close()
    source = Source(id="a", name="A", homepage="http://a.example/")  # type: ignore[arg-type]
    [result] = replay_warc(archive.path, [source])
    assert result.article is None and "not HTML" in (result.problem or "")


@pytest.mark.integration
def test_crawl_archives_articles_and_replay_extracts_them(
    services: Settings, fixture_sources: Path
) -> None:
    source = load_sources(fixture_sources).by_id("scmp")
    sources_file = write_sources(services, "archive", [source.model_dump(mode="json")])
    report = crawl_report(start_crawl(services, sources_file))
    assert report["articles"] == 1

    [warc] = warc_directory(services.state_dir).glob(f"{report['job']}-*.warc.gz")
    archived = list(read_responses(warc))
    [expected] = expected_articles(services.shared_dir)["scmp"]
    assert [r.url for r in archived] == [str(source.homepage).rstrip("/") + expected.path]
    [replayed] = replay_warc(warc, [source])
    assert replayed.article is not None
    assert replayed.article.title == expected.title
    assert replayed.article.source_id == "scmp"
    output = run_cli(services, "crawler", "replay", str(warc), "--sources", str(sources_file))
    assert expected.title[:30] in output
