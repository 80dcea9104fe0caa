"""Run one crawl in a child process and print a JSON report on the last line.

Scrapy's reactor runs once per process, so each crawl test starts this module:
``python -m tests.crawler.crawl_child SOURCES_FILE [--article-urls JSON] [--job J] ...``.
Settings come from the ``NEWSLOOM_*`` environment, as for the real CLI. The report holds the
crawl's integer stats, the number of articles, and every URL this process fetched.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from crawler.run import run_crawl
from crawler.sources import load_sources
from newsloom.settings import get_settings


def main() -> None:
    """Crawl every source of the file (plus the given article URLs) and print the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("sources", type=Path)
    parser.add_argument("--article-urls", type=json.loads, default={})
    parser.add_argument("--job")
    parser.add_argument("--lease-s", type=float, default=300.0)
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--due-only", action="store_true")
    arguments = parser.parse_args()
    report = run_crawl(
        get_settings(),
        load_sources(arguments.sources).sources,
        article_urls=arguments.article_urls,
        job=arguments.job,
        lease_s=arguments.lease_s,
        incremental=arguments.incremental,
        due_only=arguments.due_only,
    )
    stats = {key: value for key, value in report.stats.items() if isinstance(value, int)}
    print(
        json.dumps(
            {
                "job": report.job,
                "stats": stats,
                "articles": len(report.article_ids),
                "article_ids": report.article_ids,
                "fetched": report.fetched_urls,
            }
        )
    )


if __name__ == "__main__":
    main()
