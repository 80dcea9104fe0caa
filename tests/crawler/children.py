"""Crawls in child processes (Scrapy's reactor starts once per process), as tests need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from newsloom.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def write_sources(settings: Settings, name: str, sources: list[dict[str, Any]]) -> Path:
    """A sources file holding ``sources``, in the session's state directory."""
    path = settings.state_dir / f"sources-{name}.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    return path


def start_crawl(
    settings: Settings,
    sources_file: Path,
    *options: str,
    article_urls: dict[str, list[str]] | None = None,
    job: str | None = None,
    lease_s: float = 300.0,
) -> subprocess.Popen[str]:
    """Start ``tests.crawler.crawl_child``; read its report with :func:`crawl_report`.

    ``options`` are more of its flags (``--incremental``, ``--due-only``).
    """
    arguments = [str(sources_file), "--article-urls", json.dumps(article_urls or {}), *options]
    if job:
        arguments += ["--job", job, "--lease-s", str(lease_s)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crawler.crawl_child", *arguments],
        env={**os.environ, **settings.as_environment()},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def crawl_report(child: subprocess.Popen[str], timeout_s: float = 240) -> dict[str, Any]:
    """Wait for a crawl child to end; return its report (stats, articles, fetched URLs)."""
    try:
        stdout, stderr = child.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as hung:
        # Never leave a hung crawl behind to disturb the tests after this one.
        child.kill()
        _, stderr = child.communicate()
        raise AssertionError(
            f"the crawl had not ended after {timeout_s} s: {stderr[-3000:]}"
        ) from hung
    assert child.returncode == 0, stderr[-3000:]
    report: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return report


def crawl(
    settings: Settings, source: dict[str, Any], urls: list[str], *options: str
) -> dict[str, int]:
    """Crawl one source's ``urls`` as articles, to the end; return the crawl's integer stats."""
    sources_file = write_sources(settings, str(source["id"]), [source])
    child = start_crawl(settings, sources_file, *options, article_urls={str(source["id"]): urls})
    stats: dict[str, int] = crawl_report(child)["stats"]
    return stats
