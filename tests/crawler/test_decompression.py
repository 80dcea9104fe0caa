"""The page size limit holds after decompression, for gzipped sitemaps too.

A ``.xml.gz`` sitemap is a gzip file, not HTTP content-encoding, so Scrapy's compression
middleware never sees it; the spider inflates it itself. The bomb is made here: a valid
sitemap padded with 64 MiB of spaces, about 64 KB on the wire.
"""

from __future__ import annotations

import gzip
import json

import pytest

from newsloom.settings import Settings
from tests.crawler.children import crawl_report, start_crawl, write_sources
from tests.crawler.robots_server import ARTICLE_HTML, robots_server

pytestmark = pytest.mark.integration

PADDING = 64 * 1024 * 1024


def _sitemap(base: str, padding: int) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/article</loc></url>"
    ).encode()
    return gzip.compress(head + b" " * padding + b"</urlset>", compresslevel=9)


@pytest.mark.parametrize(("padding", "bomb"), [(0, False), (PADDING, True)])
def test_gzipped_sitemap_is_inflated_within_the_size_limit(
    services: Settings, padding: int, bomb: bool
) -> None:
    pages: dict[str, bytes] = {"/article": ARTICLE_HTML}
    with robots_server(200, pages, robots_body=b"User-agent: *\nAllow: /\n") as base:
        pages["/sitemap.xml.gz"] = _sitemap(base, padding)
        assert len(pages["/sitemap.xml.gz"]) < 100_000  # small on the wire
        source = {
            "id": "gzsitemap",
            "name": "Gzip sitemap",
            "homepage": f"{base}/",
            "sitemaps": [f"{base}/sitemap.xml.gz"],
            "allow_private_network": True,
        }
        sources_file = write_sources(services, f"gzsitemap-{padding}", [source])
        stats = crawl_report(start_crawl(services, sources_file))["stats"]
    if bomb:
        assert stats.get("newsloom/dropped/too_large") == 1, json.dumps(stats)
        assert stats.get("item_scraped_count", 0) == 0  # nothing of the bomb was followed
    else:
        assert stats.get("item_scraped_count") == 1, json.dumps(stats)
