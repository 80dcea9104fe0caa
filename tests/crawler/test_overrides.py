"""Per-source extraction overrides: selectors from the registry win, misses are counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from elasticsearch import Elasticsearch
from prometheus_client import CollectorRegistry
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.archive import ArchivedResponse, WarcArchive, warc_directory
from crawler.extensions.metrics import StatsMetricsCollector
from crawler.extraction import extract_article
from crawler.extraction.fields import ExtractedFields
from crawler.extraction.overrides import MissReason, OverrideMiss, apply_overrides
from crawler.sources import Source, SourcesError, load_sources
from crawler.sources.model import ExtractionOverrides
from newsloom.schema import article_id
from newsloom.settings import Settings
from ops.dev.fixture_site.pages import expected_articles
from ops.dev.local.background import BackgroundProcess
from tests.conftest import run_cli
from tests.crawler.children import crawl_report, start_crawl, write_sources

URL = "https://outlet.example/2026/talks"
PAGE = """<html><head><title>Talks resume | Outlet</title></head><body>
<nav><a href="/">Home</a></nav>
<div class="crumbs"><a href="/politics">Politics</a> &gt; <span class="here">Korea</span></div>
<div id="story">
  <h2 class="hed">Envoys agree to
     meet again</h2>
  <p class="dek">Talks will resume next week.</p>
  <p class="who">By <a class="name">Kim Min-ji</a> and <a class="name">Lee Joon</a></p>
  <span class="stamp" data-iso="2026-03-02T09:30:00+09:00">2 March 2026, 09:30</span>
  <span class="updated">3 March 2026 18:05</span>
  <div class="txt">
    <p>Negotiators met for a third day
       in Panmunjom.</p>
    <div class="share">Share on X Share on Facebook</div>
    <figure><img src="x.jpg"><figcaption>Delegates shake hands. Photo: pool</figcaption></figure>
    <p>They agreed to meet again<br>next week, officials said.</p>
    <p>Advertisement</p>
    <ul class="related"><li><a href="/a">Earlier talks stalled</a></li></ul>
    <script>track("story")</script>
  </div>
</div></body></html>"""
GENERAL = ExtractedFields(
    title="Talks resume",
    body="General body.",
    authors=["Outlet Staff"],
    lead="General lead.",
    section="Politics",
)


def _source(**extraction: Any) -> Source:
    return Source.model_validate(
        {"id": "outlet", "name": "Outlet", "homepage": "https://outlet.example/",
         "languages": ["en"], "extraction": extraction}
    )  # fmt: skip


def test_each_overridden_field_comes_from_its_selector() -> None:
    source = _source(
        title="h2.hed",
        authors=".who .name",
        published=".stamp::attr(data-iso)",
        modified=".updated",
        lead=".dek",
        section=".crumbs .here",
        body=".txt",
        timezone="Asia/Seoul",
    )
    result = apply_overrides(GENERAL, PAGE, source)
    fields = result.fields
    assert result.misses == ()
    assert fields.title == "Envoys agree to meet again"
    assert fields.authors == ["Kim Min-ji", "Lee Joon"]
    assert fields.published_at == datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    assert fields.published_at.utcoffset() == timedelta(hours=9)  # the page's own offset
    assert fields.modified_at == datetime(2026, 3, 3, 18, 5, tzinfo=ZoneInfo("Asia/Seoul"))
    assert fields.lead == "Talks will resume next week."
    assert fields.section == "Korea"
    assert fields.body.startswith("Negotiators met for a third day in Panmunjom.\n\n")
    assert "They agreed to meet again\n\nnext week, officials said." in fields.body
    assert "Advertisement" not in fields.body  # the general clean-up still runs
    assert "track(" not in fields.body


def test_fields_without_a_selector_keep_the_general_value() -> None:
    fields = apply_overrides(GENERAL, PAGE, _source(section=".crumbs .here")).fields
    assert (fields.title, fields.body, fields.authors) == (
        "Talks resume",
        "General body.",
        ["Outlet Staff"],
    )
    assert fields.section == "Korea"
    assert apply_overrides(GENERAL, PAGE, _source()).fields == GENERAL
    plain = Source(id="p", name="P", homepage="https://p.example/")  # type: ignore[arg-type]
    assert apply_overrides(GENERAL, PAGE, plain).fields is GENERAL


def test_drop_removes_share_bars_captions_and_related_links_from_the_body() -> None:
    kept = apply_overrides(GENERAL, PAGE, _source(body=".txt")).fields.body
    assert "Share on X" in kept and "Delegates shake hands" in kept
    source = _source(body=".txt", drop=[".share", "figcaption", "xpath://ul[@class='related']"])
    body = apply_overrides(GENERAL, PAGE, source).fields.body
    assert body == (
        "Negotiators met for a third day in Panmunjom.\n\n"
        "They agreed to meet again\n\nnext week, officials said."
    )


def test_xpath_selectors_work_like_css_ones() -> None:
    source = _source(
        title="xpath://div[@id='story']/h2",
        section="xpath://div[@class='crumbs']/span/text()",
        body="xpath://div[@class='txt']/p",
    )
    fields = apply_overrides(GENERAL, PAGE, source).fields
    assert fields.title == "Envoys agree to meet again"
    assert fields.section == "Korea"
    assert fields.body.split("\n\n")[0] == "Negotiators met for a third day in Panmunjom."


def test_a_byline_prefix_is_not_part_of_the_name() -> None:
    fields = apply_overrides(GENERAL, '<p class="by">By Choe Sang-Hun</p>', _source(authors=".by"))
    assert fields.fields.authors == ["Choe Sang-Hun"]


@pytest.mark.parametrize("languages", [["ko"], ["und"], []])
def test_dates_in_the_outlet_language_take_the_source_zone(languages: list[str]) -> None:
    source = Source.model_validate(
        {"id": "kr", "name": "KR", "homepage": "https://kr.example/", "languages": languages,
         "extraction": {"published": ".d", "timezone": "Asia/Seoul"}}
    )  # fmt: skip
    page = '<span class="d">2024년 1월 19일 21:45</span>'
    published = apply_overrides(GENERAL, page, source).fields.published_at
    assert published == datetime(2024, 1, 19, 12, 45, tzinfo=UTC)


def test_naive_dates_stay_naive_without_a_source_zone() -> None:
    fields = apply_overrides(GENERAL, PAGE, _source(published=".updated")).fields
    assert fields.published_at == datetime(2026, 3, 3, 18, 5)


@pytest.mark.parametrize(
    ("overrides", "miss"),
    [
        ({"title": "h1.gone"}, OverrideMiss("title", MissReason.NO_MATCH)),
        ({"lead": "figure img"}, OverrideMiss("lead", MissReason.EMPTY)),
        ({"published": ".dek"}, OverrideMiss("published", MissReason.NOT_A_DATE)),
        ({"body": "#story .missing"}, OverrideMiss("body", MissReason.NO_MATCH)),
        ({"body": ".txt script"}, OverrideMiss("body", MissReason.EMPTY)),
    ],
)
def test_a_miss_keeps_the_general_value_with_its_reason(
    overrides: dict[str, str], miss: OverrideMiss
) -> None:
    result = apply_overrides(GENERAL, PAGE, _source(**overrides))
    assert result.misses == (miss,)
    assert result.fields == GENERAL


def test_misses_are_counted_as_drops_and_exported_to_prometheus() -> None:
    stats = MemoryStatsCollector(get_crawler())
    source = _source(title="h1.gone", section=".crumbs .here", published=".dek")
    article = extract_article(PAGE, URL, source, stats=stats)
    assert article.section == "Korea"
    assert article.title == "Talks resume"  # the general title, since the override missed
    assert stats.get_value("newsloom/dropped/override_title_no_match/outlet") == 1
    assert stats.get_value("newsloom/dropped/override_published_not_a_date/outlet") == 1
    assert stats.get_value("newsloom/dropped/override_section_no_match/outlet") is None
    registry = CollectorRegistry()
    registry.register(StatsMetricsCollector(stats))
    exported = registry.get_sample_value(
        "newsloom_crawl_dropped_total", {"reason": "override_title_no_match"}
    )
    assert exported == 1.0


def test_title_suffix_is_stripped_from_whichever_title_wins() -> None:
    general = ExtractedFields(title="Talks resume - Outlet News", body="b")
    source = _source(title_suffix=r"\s*-\s*Outlet News")
    assert apply_overrides(general, PAGE, source).fields.title == "Talks resume"
    source = _source(title="title", title_suffix=r"\s*\|\s*Outlet")
    assert apply_overrides(general, PAGE, source).fields.title == "Talks resume"
    eats_all = _source(title_suffix=".*")
    assert apply_overrides(general, PAGE, eats_all).fields.title == general.title


@pytest.mark.parametrize(
    ("extraction", "field", "problem"),
    [
        ("{title: 'h1['}", "extraction.title", "not a valid CSS selector"),
        ("{body: 'xpath://div[@id='}", "extraction.body", "not a valid XPath"),
        ("{body: article, drop: ['p::nope']}", "extraction.drop.0", "not a valid CSS selector"),
        ("{published: 'xpath:'}", "extraction.published", "empty XPath"),
        ("{title_suffix: '(['}", "extraction.title_suffix", "not a valid regular expression"),
        ("{timezone: Mars/Olympus}", "extraction.timezone", "unknown time zone"),
        ("{drop: [aside]}", "extraction", "add a body selector"),
        ("{headline: h1}", "extraction.headline", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_override_fails_the_load_naming_file_source_and_field(
    tmp_path: Path, extraction: str, field: str, problem: str
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: kcna\n    name: KCNA\n    homepage: https://kcna.example/\n"
        f"    extraction: {extraction}\n"
    )
    with pytest.raises(SourcesError) as raised:
        load_sources(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"source 'kcna', field {field}:" in message
    assert problem in message


def test_good_overrides_load_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n  - id: kcna\n    name: KCNA\n    homepage: https://kcna.example/\n"
        "    extraction:\n      body: 'xpath://div[@class=\"story\"]'\n"
        "      drop: [.share, figcaption]\n      published: time::attr(datetime)\n"
        "      timezone: Asia/Pyongyang\n"
    )
    overrides = load_sources(path).by_id("kcna").extraction
    assert overrides is not None
    assert overrides.drop == (".share", "figcaption")
    assert overrides.timezone == "Asia/Pyongyang"


@pytest.mark.integration
def test_crawled_article_carries_the_override_values_into_the_index(
    services: Settings, es: Elasticsearch, worker: BackgroundProcess, fixture_sources: Path
) -> None:
    source = load_sources(fixture_sources).by_id("scmp")
    # The SCMP fixture page names its section "Diplomacy" in its metadata and shows the topic
    # "North Korea" above the body; its body holds a summary list and a video card.
    extraction = {
        "section": ".article-body p.topic",
        "body": ".article-body",
        "drop": [".summary", ".topic", ".video-player", ".comments"],
        "title_suffix": r"\s+as tensions with Seoul escalate",
    }
    described = {**source.model_dump(mode="json"), "extraction": extraction}
    sources_file = write_sources(services, "overrides", [described])
    archives = warc_directory(services.state_dir)
    earlier = set(archives.glob("*.warc.gz"))
    run_cli(services, "crawl", "--sources", str(sources_file), "--wait")

    [expected] = expected_articles(services.shared_dir)["scmp"]
    url = str(source.homepage).rstrip("/") + expected.path
    document = es.get(index=services.index_alias, id=article_id(url))["_source"]
    assert document["section"] == "North Korea"
    assert document["title"] == "China vows to work with North Korea to protect regional stability"
    assert document["body"].startswith("China said it will work with North Korea")
    assert "top enemy" not in document["body"]  # the video card's title, dropped
    assert "Communist Party diplomatic chief" not in document["body"]  # the summary, dropped
    assert document["published_at"].startswith("2024-01-19T21:45:00+08:00")

    # The crawl archived the page; ops try the same overrides on it without fetching.
    warcs = [str(path) for path in set(archives.glob("*.warc.gz")) - earlier]
    output = run_cli(services, "overrides", "check", "scmp", *warcs, "--sources", str(sources_file))
    assert "North Korea" in output
    assert "missed" not in output


def _archive(directory: Path, pages: dict[str, str]) -> Path:
    archive = WarcArchive.create(directory, "overrides")
    for url, html in pages.items():
        headers = {"Content-Type": "text/html; charset=utf-8"}
        archive.write(ArchivedResponse(url, 200, headers, html.encode()))
    archive.close()
    return archive.path


def test_check_command_shows_what_each_selector_finds_on_archived_pages(
    settings: Settings,
) -> None:
    redesigned = PAGE.replace('class="crumbs"', 'class="breadcrumbs"')
    other_outlets = {"https://elsewhere.example/x": PAGE, "https://outlet.example:8443/x": PAGE}
    warc = _archive(settings.state_dir, {URL: PAGE, f"{URL}-2": redesigned, **other_outlets})
    extraction = {"section": ".crumbs .here", "published": ".stamp::attr(data-iso)"}
    sources_file = write_sources(settings, "check", [_source(**extraction).model_dump(mode="json")])
    output = run_cli(
        settings, "overrides", "check", "outlet", str(warc), "--sources", str(sources_file)
    )
    assert "2026-03-02T09:30:00+09:00" in output
    assert "Korea" in output
    assert "missed: no_match" in output
    assert "section: no_match on 1 of 2 pages" in output  # other outlets' pages are not read


def test_check_command_fails_when_a_selector_never_matches(settings: Settings) -> None:
    warc = _archive(settings.state_dir, {URL: PAGE})
    sources_file = write_sources(
        settings, "check-broken", [_source(title="h1.gone").model_dump(mode="json")]
    )
    output = run_cli(
        settings, "overrides", "check", "outlet", str(warc), "--sources", str(sources_file),
        expect_failure=True,
    )  # fmt: skip
    assert "selectors of title find nothing on any page; fix or remove them" in output


def test_the_registry_header_example_is_a_valid_block() -> None:
    registry = Path(__file__).resolve().parents[2] / "crawler/sources/registry.yaml"
    header = registry.read_text(encoding="utf-8").split("\nsources:")[0]
    example = header.split("Example:\n")[1]
    block = yaml.safe_load("\n".join(line.removeprefix("#") for line in example.splitlines()))
    overrides = ExtractionOverrides.model_validate(block["extraction"])
    assert overrides.body and overrides.drop and overrides.timezone


@pytest.mark.integration
def test_a_missing_override_is_counted_by_a_real_crawl(
    services: Settings, fixture_sources: Path
) -> None:
    source = load_sources(fixture_sources).by_id("scmp")
    extraction = {"title": "h1.renamed-headline", "section": ".article-body p.topic"}
    described = {**source.model_dump(mode="json"), "extraction": extraction}
    report = crawl_report(start_crawl(services, write_sources(services, "miss", [described])))
    assert report["articles"] == 1  # the general title stood in
    assert report["stats"].get("newsloom/dropped/override_title_no_match/scmp") == 1
    assert "newsloom/dropped/override_section_no_match/scmp" not in report["stats"]
