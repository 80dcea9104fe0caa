"""Politeness and safety against real HTTP: robots.txt, SSRF, bombs, bad content, errors.

Each crawl runs in a child process (Scrapy's reactor starts once per process) against the
fixture site's hostile ``/edge/`` endpoints or a server whose robots.txt fails on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.sources import load_sources
from newsloom.settings import Settings
from tests.crawler.robots_server import robots_server

pytestmark = pytest.mark.integration

_ROOT = Path(__file__).resolve().parents[2]


def _crawl(settings: Settings, source: dict[str, object], urls: list[str]) -> dict[str, int]:
    """Crawl one source's ``urls`` as articles; return the crawl's integer stats."""
    sources_file = settings.state_dir / f"sources-{source['id']}.yaml"
    sources_file.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tests.crawler.crawl_child", str(sources_file),
         json.dumps({source["id"]: urls})],
        env={**os.environ, **settings.as_environment()},
        cwd=_ROOT, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    stats: dict[str, int] = json.loads(result.stdout.strip().splitlines()[-1])["stats"]
    return stats


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


def test_hostile_edge_pages_are_dropped_with_reasons(
    services: Settings, fixture_sources: Path
) -> None:
    source, base = _outlet(fixture_sources)
    edges = ["gzip-bomb", "pdf", "redirect-loop", "server-error"]
    stats = _crawl(services, source, [f"{base}/edge/{edge}" for edge in edges])
    assert stats.get("newsloom/dropped/too_large") == 1, json.dumps(stats)
    assert stats.get("newsloom/dropped/not_html") == 1, json.dumps(stats)
    # The loop ends at the redirect limit or, sooner, when it comes back to a URL already seen.
    stopped = stats.get("newsloom/dropped/redirect_limit", 0) + stats.get("dupefilter/filtered", 0)
    assert stopped == 1, json.dumps(stats)
    assert stats.get("downloader/response_status_count/302", 0) <= 5
    assert stats.get("newsloom/dropped/http_500") == 1, json.dumps(stats)
    assert stats.get("item_scraped_count", 0) == 0


def test_charset_lie_still_extracts_an_article(services: Settings, fixture_sources: Path) -> None:
    source, base = _outlet(fixture_sources)
    stats = _crawl(services, source, [f"{base}/edge/charset-mismatch"])
    assert stats.get("item_scraped_count") == 1


def test_robots_disallowed_path_is_not_fetched(services: Settings, fixture_sources: Path) -> None:
    source, base = _outlet(fixture_sources)
    stats = _crawl(services, source, [f"{base}/private/", f"{base}/private/secret"])
    assert stats.get("newsloom/dropped/robots") == 2
    assert stats.get("robotstxt/forbidden") == 2


def test_loopback_source_without_opt_in_is_refused(
    services: Settings, fixture_sources: Path
) -> None:
    source, base = _outlet(fixture_sources, allow_private=False)
    stats = _crawl(services, source, [f"{base}/"])
    assert stats.get("newsloom/dropped/ssrf_loopback", 0) >= 1
    assert stats.get("downloader/response_count", 0) == 0


@pytest.mark.parametrize(
    ("status", "fetched"),
    [(404, True), (403, True), (500, False), (503, False)],
)
def test_robots_errors_follow_rfc_9309(services: Settings, status: int, fetched: bool) -> None:
    with robots_server(status) as base:
        source = {"id": f"robots-{status}", "name": "Robots case", "homepage": f"{base}/",
                  "allow_private_network": True}  # fmt: skip
        stats = _crawl(services, source, [f"{base}/article"])
    assert (stats.get("item_scraped_count", 0) == 1) is fetched
    assert (stats.get("newsloom/dropped/robots", 0) == 1) is not fetched


def test_unreachable_robots_means_disallow(services: Settings) -> None:
    with robots_server(200) as base:
        pass  # closed again: the port now refuses connections
    source = {"id": "robots-gone", "name": "Robots gone", "homepage": f"{base}/",
              "allow_private_network": True}  # fmt: skip
    stats = _crawl(services, source, [f"{base}/article"])
    assert stats.get("newsloom/robots/unreachable_disallow") == 1
    assert stats.get("newsloom/dropped/robots") == 1
