"""``python -m bench.fetch_only URLS_FILE``: fetch every URL with Scrapy and keep nothing.

The fetch-only baseline of ``bench.pipeline``: what a crawl costs before any extraction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

__all__ = ["FetchOnly", "main"]


class FetchOnly(Spider):
    """Requests its ``start_urls`` and drops every response."""

    name = "fetch-only"

    def parse(self, response: Response) -> None:
        """Nothing: only the fetch is measured."""


def main(urls_file: Annotated[Path, typer.Argument(help="One URL per line.")]) -> None:
    """Fetch every URL of ``urls_file`` as fast as 32 parallel requests allow."""
    process = CrawlerProcess(
        {"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
         "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False}
    )  # fmt: skip
    process.crawl(FetchOnly, start_urls=urls_file.read_text().split())
    process.start()


if __name__ == "__main__":
    typer.run(main)
