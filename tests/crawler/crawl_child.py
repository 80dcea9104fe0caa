"""Run one crawl in a child process and print its stats as JSON on the last line.

Scrapy's reactor runs once per process, so each crawl test starts this module:
``python -m tests.crawler.crawl_child SOURCES_FILE '{"source_id": ["url", ...]}'``.
Settings come from the ``NEWSLOOM_*`` environment, as for the real CLI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.run import run_crawl
from crawler.sources import load_sources
from newsloom.settings import get_settings


def main() -> None:
    """Crawl every source of the file (plus the given article URLs) and print the stats."""
    registry = load_sources(Path(sys.argv[1]))
    article_urls = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    report = run_crawl(get_settings(), registry.sources, article_urls=article_urls)
    stats = {key: value for key, value in report.stats.items() if isinstance(value, int)}
    print(json.dumps({"stats": stats, "articles": len(report.article_ids)}))


if __name__ == "__main__":
    main()
