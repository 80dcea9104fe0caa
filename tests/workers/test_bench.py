"""The benchmark helpers measure what they say (the benchmarks themselves run by hand)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.enrichment import load_articles, measure
from bench.worker_memory import process_tree_memory, process_tree_rss_mib
from workers.enrichment.pipeline import enrich


def test_benchmark_articles_are_distinct_per_round() -> None:
    one, two = load_articles(1), load_articles(2)
    assert len(two) == 2 * len(one) > 90
    assert len({article.id for article in two}) == len(two)


def test_measure_runs_a_stage_over_every_article() -> None:
    articles = load_articles(1)[:5]
    result, output = measure("pipeline", enrich, articles)
    assert result.articles == 5 and result.seconds > 0 and result.rss_mib > 0
    assert all(article.enrichment.stage_versions["embeddings"] for article in output)


def test_process_tree_rss_counts_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.5)
        main, children = process_tree_rss_mib(os.getpid())
        assert main > 10
        assert len(children) >= 1 and all(size > 1 for size in children)
        own, forked = process_tree_memory(os.getpid())
        # A child shares the interpreter's pages with others: its PSS and USS are below its RSS.
        assert 0 < own.uss <= own.pss <= own.rss
        assert all(0 < c.uss <= c.pss <= c.rss for c in forked)
    finally:
        child.kill()
        child.wait()
