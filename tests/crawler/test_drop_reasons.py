"""Each way a page is refused is counted under its own reason, against a real server."""

from __future__ import annotations

import json

import pytest

from crawler.middlewares.robots import ROBOTS_MAX_BYTES
from newsloom.settings import Settings
from tests.crawler.children import crawl
from tests.crawler.robots_server import ARTICLE_HTML, robots_server

pytestmark = pytest.mark.integration

RULES = b"User-agent: *\nDisallow: /private/\n"


def _source(base: str, name: str) -> dict[str, object]:
    return {"id": name, "name": name, "homepage": f"{base}/", "allow_private_network": True}


def test_a_huge_robots_txt_is_obeyed_from_its_first_part(services: Settings) -> None:
    # Over DOWNLOAD_MAXSIZE (4 MiB): refused whole, it used to shut the host out.
    robots = RULES + b"# a comment line to make the file large\n" * (5 * 1024 * 1024 // 40)
    assert len(robots) > 4 * 1024 * 1024
    pages = {"/article": ARTICLE_HTML, "/private/a": ARTICLE_HTML}
    with robots_server(200, pages, robots_body=robots) as base:
        stats = crawl(
            services, _source(base, "bigrobots"), [f"{base}/article", f"{base}/private/a"]
        )
    assert stats.get("item_scraped_count") == 1, json.dumps(stats)
    assert stats.get("newsloom/dropped/robots") == 1, json.dumps(stats)
    assert stats.get("newsloom/robots/truncated") == 1
    assert stats.get("newsloom/robots/unreachable_disallow", 0) == 0


def test_rules_past_the_parsing_limit_are_not_read(services: Settings) -> None:
    padding = b"#" * 99 + b"\n"
    robots = b"User-agent: *\n" + padding * (ROBOTS_MAX_BYTES // 100 + 10) + b"Disallow: /\n"
    with robots_server(200, robots_body=robots) as base:
        stats = crawl(services, _source(base, "laterules"), [f"{base}/article"])
    assert stats.get("item_scraped_count") == 1, json.dumps(stats)


def test_oversized_page_and_credentials_have_reasons_of_their_own(services: Settings) -> None:
    pages = {"/big": b"<html><body>" + b"x" * (5 * 1024 * 1024) + b"</body></html>"}
    hits: list[tuple[float, str]] = []
    with robots_server(200, pages, robots_body=b"", hits=hits) as base:
        with_credentials = base.replace("http://", "http://user:secret@") + "/big"
        stats = crawl(services, _source(base, "reasons"), [f"{base}/big", with_credentials])
    assert stats.get("newsloom/dropped/too_large") == 1, json.dumps(stats)
    assert stats.get("newsloom/dropped/credentials") == 1, json.dumps(stats)
    assert "newsloom/dropped/DownloadCancelledError" not in stats
    assert "newsloom/dropped/robots" not in stats
    assert [path for _, path in hits].count("/big") == 1  # the URL with credentials never went
