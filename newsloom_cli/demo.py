"""The main job end to end: services, fixture site, worker, crawl, index, search."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from newsloom.settings import Settings
from newsloom_cli.render import find_article_card, hits_table
from ops.dev.local.launch import fixture_site_process, worker_process
from search.client import create_client
from search.query import search_articles
from search.templates import ensure_index
from search.waiting import wait_until_indexed

__all__ = ["DEMO_QUERIES", "run_demo"]

DEMO_QUERIES = ("Pulhwasal", "Haeil", '"strategic communication"', "sanction", "Choe Son Hui")


def run_demo(settings: Settings, console: Console, crawl_timeout_s: float = 300.0) -> int:
    """Crawl the fixture site through real services and print searches; return articles indexed.

    Redis and Elasticsearch must be up; the worker and the fixture site are started here and
    stopped on the way out.
    """
    from crawler.run import run_crawl  # Scrapy's reactor is installed on import
    from crawler.sources import load_sources

    es = create_client(settings)
    ensure_index(es, settings.index_alias, settings.index_replicas)
    sources_file = settings.state_dir / "fixture-sources.yaml"
    with fixture_site_process(settings, sources_file) as site, worker_process(settings) as worker:
        console.print("starting the fixture news site and a worker…")
        ready = site.start()
        worker.start()
        sources = load_sources(Path(ready["sources"])).sources
        console.print(
            f"crawling {len(sources)} fixture outlets: {', '.join(s.id for s in sources)}"
        )
        with console.status("crawling") as status:
            report = run_crawl(
                settings,
                sources,
                on_progress=lambda r: status.update(
                    f"crawling: {r.pages} pages fetched, {len(r.article_ids)} articles queued"
                ),
            )
        ids = sorted(set(report.article_ids))
        console.print(f"crawled {report.pages} pages; {len(ids)} articles queued for enrichment")
        with console.status("indexing") as status:
            indexed = wait_until_indexed(
                es,
                settings.index_alias,
                ids,
                crawl_timeout_s,
                lambda done, total: status.update(f"indexing: {done}/{total} searchable"),
            )
        console.print(
            f"{indexed} of {len(ids)} articles searchable (worker log: {worker.log_path})"
        )
    for query in DEMO_QUERIES:
        console.print(hits_table(query, search_articles(es, settings.index_alias, query, size=5)))
    # What enrichment adds, on the article the first search found: its tags, its story and the
    # other outlets' coverage of it.
    top = search_articles(es, settings.index_alias, DEMO_QUERIES[0], size=1)
    card = top and find_article_card(es, settings.index_alias, top[0].id)
    if card:
        console.print(card)
    return indexed
