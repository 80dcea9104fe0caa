"""Politeness and safety against real HTTP: robots.txt, SSRF, bombs, bad content, errors.

Each crawl runs in a child process (Scrapy's reactor starts once per process) against the
fixture site's hostile ``/edge/`` endpoints or a server whose robots.txt fails on purpose.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from crawler.sources import load_sources
from crawler.spiders.optout import declares_noai
from newsloom.settings import Settings
from tests.crawler.children import crawl
from tests.crawler.robots_server import ARTICLE_HTML, robots_server


def _outlet(fixture_sources: Path, *, allow_private: bool = True) -> tuple[dict[str, object], str]:
    """The first fixture outlet with discovery switched off, and its base URL."""
    source = load_sources(fixture_sources).sources[0]
    base = str(source.homepage).rstrip("/")
    described: dict[str, object] = {
        "id": source.id,
        "name": source.name,
        "homepage": str(source.homepage),
        "allow_private_network": allow_private,
    }
    return described, base


@pytest.mark.integration
def test_hostile_edge_pages_are_dropped_with_reasons(
    services: Settings, fixture_sources: Path
) -> None:
    source, base = _outlet(fixture_sources)
    edges = ["gzip-bomb", "pdf", "redirect-loop", "server-error"]
    stats = crawl(services, source, [f"{base}/edge/{edge}" for edge in edges])
    assert stats.get("newsloom/dropped/too_large") == 1, json.dumps(stats)
    assert stats.get("newsloom/dropped/not_html") == 1, json.dumps(stats)
    # The loop ends at the redirect limit or, sooner, when it comes back to a URL already seen.
    stopped = stats.get("newsloom/dropped/redirect_limit", 0) + stats.get("dupefilter/filtered", 0)
    assert stopped == 1, json.dumps(stats)
    assert stats.get("downloader/response_status_count/302", 0) <= 5
    assert stats.get("newsloom/dropped/http_500") == 1, json.dumps(stats)
    assert stats.get("item_scraped_count", 0) == 0


@pytest.mark.integration
def test_charset_lie_still_extracts_an_article(services: Settings, fixture_sources: Path) -> None:
    source, base = _outlet(fixture_sources)
    stats = crawl(services, source, [f"{base}/edge/charset-mismatch"])
    assert stats.get("item_scraped_count") == 1


@pytest.mark.integration
def test_robots_disallowed_path_is_not_fetched(services: Settings, fixture_sources: Path) -> None:
    source, base = _outlet(fixture_sources)
    # Several at once: Scrapy gave the third and later requests that waited for robots.txt
    # no rules at all (see crawler/middlewares/robots.py); every one must be refused.
    urls = [f"{base}/private/", *(f"{base}/private/{n}" for n in range(5))]
    stats = crawl(services, source, urls)
    assert stats.get("newsloom/dropped/robots") == len(urls), json.dumps(stats)
    assert stats.get("robotstxt/forbidden") == len(urls)
    assert stats.get("downloader/response_count") == 1  # robots.txt itself


@pytest.mark.integration
def test_loopback_source_without_opt_in_is_refused(
    services: Settings, fixture_sources: Path
) -> None:
    source, base = _outlet(fixture_sources, allow_private=False)
    stats = crawl(services, source, [f"{base}/"])
    assert stats.get("newsloom/dropped/ssrf_loopback", 0) >= 1
    assert stats.get("downloader/response_count", 0) == 0


@pytest.mark.integration
@pytest.mark.parametrize(
    ("status", "fetched"),
    [(404, True), (403, True), (500, False), (503, False)],
)
def test_robots_errors_follow_rfc_9309(services: Settings, status: int, fetched: bool) -> None:
    with robots_server(status) as base:
        source = {"id": f"robots-{status}", "name": "Robots case", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        stats = crawl(services, source, [f"{base}/article"])
    assert (stats.get("item_scraped_count", 0) == 1) is fetched
    assert (stats.get("newsloom/dropped/robots", 0) == 1) is not fetched


@pytest.mark.integration
def test_unreachable_robots_means_disallow(services: Settings) -> None:
    with robots_server(200) as base:
        pass  # closed again: the port now refuses connections
    source = {"id": "robots-gone", "name": "Robots gone", "homepage": f"{base}/",
              "allow_private_network": True}  # fmt: skip
    stats = crawl(services, source, [f"{base}/article"])
    assert stats.get("newsloom/robots/unreachable_disallow") == 1
    assert stats.get("newsloom/dropped/robots") == 1


@pytest.mark.parametrize(
    ("x_robots_tag", "meta", "opted_out"),
    [
        ("", '<meta name="robots" content="noai, noimageai">', True),
        ("noai", "", True),
        ("otherbot: noai", "", False),
        ("", '<meta name="robots" content="noindex">', False),
    ],
)
def test_noai_directive_is_read_from_header_and_meta(
    x_robots_tag: str, meta: str, opted_out: bool
) -> None:
    page = f"<html><head>{meta}</head><body><p>Text</p></body></html>".encode()
    assert declares_noai(x_robots_tag, page) is opted_out


@pytest.mark.integration
def test_ai_training_opt_outs_are_respected(services: Settings) -> None:
    noai_page = ARTICLE_HTML.replace(b"<head>", b'<head><meta name="robots" content="noai">')
    pages = {"/article": ARTICLE_HTML, "/noai": noai_page, "/members/a": ARTICLE_HTML}
    robots = b"User-agent: GPTBot\nDisallow: /members/\n\nUser-agent: *\nAllow: /\n"
    with robots_server(200, pages, robots_body=robots) as base:
        source = {"id": "optout", "name": "Opt-out case", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        stats = crawl(services, source, [f"{base}/article", f"{base}/noai", f"{base}/members/a"])
    assert stats.get("item_scraped_count") == 1, json.dumps(stats)
    assert stats.get("newsloom/dropped/ai_opt_out") == 2, json.dumps(stats)
    assert stats.get("downloader/response_count") == 3  # robots.txt, /article, /noai


@pytest.mark.integration
def test_crawl_delay_spaces_requests_to_a_host(services: Settings) -> None:
    pages = {f"/article/{n}": ARTICLE_HTML for n in range(3)}
    hits: list[tuple[float, str]] = []
    robots = b"User-agent: *\nCrawl-delay: 1\nAllow: /\n"
    with robots_server(200, pages, robots_body=robots, hits=hits) as base:
        source = {"id": "delay", "name": "Crawl-delay case", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        stats = crawl(services, source, [f"{base}{path}" for path in pages])
    assert stats.get("item_scraped_count") == 3
    times = [moment for moment, path in hits if path.startswith("/article/")]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    # Scrapy spreads each delay over 0.5-1.5 times its value; without it they come at once.
    assert len(gaps) == 2 and min(gaps) >= 0.45, gaps


@pytest.mark.integration
def test_slow_page_times_out_after_retries(services: Settings, fixture_sources: Path) -> None:
    source, base = _outlet(fixture_sources)
    source["politeness"] = {"timeout_s": 1.0}
    stats = crawl(services, source, [f"{base}/edge/slow"])
    assert stats.get("newsloom/dropped/DownloadTimeoutError") == 1, json.dumps(stats)
    assert stats.get("retry/count") == 2  # retried through the shared frontier, then dropped
    assert stats.get("item_scraped_count", 0) == 0
