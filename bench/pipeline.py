"""Whole-pipeline benchmark: crawl start to all searchable, against extraction alone.

Run ``python -m bench.pipeline`` against running services (``newsloom services up``). It
serves ``--pages`` article pages made from the shared corpus (each a real page under a URL of
its own, its self-references rewritten so every copy is its own article) on loopback, with a
sitemap, a feed and robots.txt, and measures in the same run:

- baselines: ``trafilatura.extract`` alone and newsloom's own extractor, in one and in two
  processes; a Scrapy crawl that fetches every page and does nothing else;
- the whole pipeline: ``newsloom crawl`` with real workers until every article is searchable,
  with the CPU each kind of process spent (crawler, workers, Elasticsearch, Redis) and peaks;
- freshness: a new article published to the feed, then found by ``newsloom crawl`` (the
  manual path) or by beat and the crawl worker (the scheduled path) until it is searchable.

Ratios come first: each against the baseline it is compared with in the issue. The run uses
a Redis database (``--redis-db``, emptied before and after) and an index alias of its own.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated
from xml.sax.saxutils import escape

import typer
import yaml
from elasticsearch import Elasticsearch
from pydantic import RedisDsn
from rich.console import Console
from rich.table import Table

from newsloom.settings import Settings, get_settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import worker_process
from ops.dev.local.supervision import process_tree, wait_until
from search.client import create_client
from search.templates import ensure_index, remove_index

__all__ = ["BenchSite", "CpuSample", "corpus_pages", "main"]

console = Console(highlight=False)
_SOURCE_ID = "bench-site"
_TICKS = os.sysconf("SC_CLK_TCK")


# --- the pages ---------------------------------------------------------------------------


def _self_references(url: str, html: bytes) -> tuple[str, ...]:
    """The forms of its own address a page names: as linked, without its query, declared."""
    from crawler.extraction.fields import extract_fields

    declared = extract_fields(html.decode("utf-8", "replace"), url).canonical_url
    forms = {url, url.split("?", 1)[0], *([declared] if declared else [])}
    return tuple(sorted(forms, key=len, reverse=True))  # longest first: no partial rewrites


def corpus_pages(shared_dir: Path) -> list[tuple[tuple[str, ...], bytes]]:
    """Every corpus page as (the addresses it names itself by, HTML bytes)."""
    found = []
    for truth in sorted((shared_dir / "corpus" / "publishers" / "dev").glob("*/*.json")):
        html = truth.with_name(truth.stem + ".html.gz")
        found.append((json.loads(truth.read_text())["url"], gzip.decompress(html.read_bytes())))
    bodies = shared_dir / "corpus" / "article-bodies" / "dev"
    ground_truth = json.loads((bodies / "ground-truth.json").read_text())
    for page_id, truth in sorted(ground_truth.items()):
        found.append((truth["url"], gzip.decompress((bodies / f"{page_id}.html.gz").read_bytes())))
    if not found:
        raise typer.BadParameter(f"no corpus pages under {shared_dir}; pass --shared-dir")
    return [(_self_references(url, html), html) for url, html in found]


def _page(corpus: list[tuple[tuple[str, ...], bytes]], number: int, origin: str) -> bytes:
    addresses, html = corpus[number % len(corpus)]
    # Canonical links, og:url and JSON-LD name the page's own address: each copy gets its own,
    # so every copy is an article of its own.
    for address in addresses:
        html = html.replace(address.encode(), f"{origin}/articles/{number}".encode())
    return html


@dataclass
class _Catalogue:
    """What the bench site serves; ``published`` grows when an article is published."""

    corpus: list[tuple[tuple[str, ...], bytes]]
    published: list[tuple[int, datetime]]
    origin: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def feed(self) -> bytes:
        with self.lock:
            newest = sorted(self.published, key=lambda item: item[1], reverse=True)[:50]
        items = "".join(
            f"<item><title>Article {number}</title>"
            f"<link>{escape(self.origin)}/articles/{number}</link>"
            f"<guid>{escape(self.origin)}/articles/{number}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate></item>"
            for number, when in newest
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
            f"<link>{escape(self.origin)}/</link>{items}</channel></rss>"
        ).encode()

    def sitemap(self) -> bytes:
        with self.lock:
            numbers = [number for number, _ in self.published]
        urls = "".join(f"<url><loc>{self.origin}/articles/{n}</loc></url>" for n in numbers)
        return (
            '<?xml version="1.0"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        ).encode()


def _handler(catalogue: _Catalogue) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the bench prints its own table."""

        def do_GET(self) -> None:
            """Serve robots.txt, the homepage, the sitemap, the feed and the articles."""
            kind, body = "text/html; charset=utf-8", b"<html><body>bench</body></html>"
            if self.path == "/robots.txt":
                kind, body = "text/plain", f"Sitemap: {catalogue.origin}/sitemap.xml\n".encode()
            elif self.path == "/sitemap.xml":
                kind, body = "application/xml", catalogue.sitemap()
            elif self.path == "/feed.xml":
                kind, body = "application/rss+xml", catalogue.feed()
            elif self.path.startswith("/articles/"):
                number = int(self.path.rsplit("/", 1)[-1])
                body = _page(catalogue.corpus, number, catalogue.origin)
            elif self.path != "/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            """``POST /publish``: the next article appears in the feed and the sitemap now."""
            with catalogue.lock:
                number = len(catalogue.published)
                catalogue.published.append((number, datetime.now(UTC)))
            body = str(number).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _serve(shared_dir: Path, pages: int, ready: multiprocessing.connection.Connection) -> None:
    start = datetime.now(UTC)
    catalogue = _Catalogue(corpus_pages(shared_dir), [(n, start) for n in range(pages)])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(catalogue))
    catalogue.origin = f"http://127.0.0.1:{server.server_address[1]}"
    ready.send(catalogue.origin)
    server.serve_forever()


class BenchSite:
    """The bench's news site, in a process of its own so it never competes for our GIL."""

    def __init__(self, shared_dir: Path, pages: int) -> None:
        receiving, sending = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(shared_dir, pages, sending), daemon=True
        )
        self._process.start()
        if not receiving.poll(120):
            raise RuntimeError("the bench site did not start within 120 s")
        self.origin: str = receiving.recv()
        self.pages = pages

    def publish(self) -> str:
        """Publish one more article now; return its URL."""
        import httpx

        number = httpx.post(f"{self.origin}/publish", timeout=10).text
        return f"{self.origin}/articles/{number}"

    def urls(self) -> list[str]:
        """The first ``pages`` article URLs."""
        return [f"{self.origin}/articles/{n}" for n in range(self.pages)]

    def sources_file(self, directory: Path, interval_s: int) -> Path:
        """A registry with the site as its one source, re-crawled every ``interval_s``."""
        path = directory / "bench-sources.yaml"
        source = {
            "id": _SOURCE_ID, "name": "Bench site", "homepage": f"{self.origin}/",
            "languages": ["en"], "feeds": [f"{self.origin}/feed.xml"],
            "sitemaps": [f"{self.origin}/sitemap.xml"], "crawl_interval_s": interval_s,
            # Feeds may be re-read as often as the schedule runs: the 30 s floor of a wire.
            "poll_floor_s": max(30, interval_s),
            # Loopback is what the bench serves on; real sources never set this.
            "allow_private_network": True,
            "politeness": {"concurrency": 16, "delay_s": 0},
        }  # fmt: skip
        path.write_text(yaml.safe_dump({"sources": [source]}))
        return path

    def stop(self) -> None:
        """Stop serving."""
        self._process.terminate()
        self._process.join(10)


# --- measuring processes -----------------------------------------------------------------


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds and resident MiB of a process tree at one moment."""

    cpu_s: float
    rss_mib: float


def tree_sample(pid: int) -> CpuSample:
    """CPU (user + system) and RSS of ``pid`` and every descendant alive now."""
    cpu = rss = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            pages = int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / _TICKS
        rss += pages * resource.getpagesize() / 2**20
    return CpuSample(cpu, rss)


def _run_child(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a child to its end; its wall seconds, CPU seconds and peak RSS MiB."""
    started = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(argv[:4])} exited with {process.returncode}")
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _es_cpu_s(es: Elasticsearch) -> float:
    nodes = es.nodes.stats(metric="process")["nodes"]
    return float(sum(node["process"]["cpu"]["total_in_millis"] for node in nodes.values())) / 1000


def _redis_cpu_s(settings: Settings) -> float:
    info = redis_client(settings).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# --- the baselines -----------------------------------------------------------------------


def _trafilatura(html: str) -> int:
    import trafilatura

    return len(trafilatura.extract(html) or "")


def _newsloom(page: tuple[str, str]) -> int:
    from crawler.extraction.fields import extract_fields

    return len(extract_fields(page[1], page[0]).body or "")


def _pages_per_s(work: Callable[..., int], items: Sequence[object], processes: int) -> float:
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pool.map(work, items, chunksize=8)
    return len(items) / (time.monotonic() - started)


# --- the pipeline ------------------------------------------------------------------------


def _bench_settings(settings: Settings, redis_db: int, state_dir: Path, sources: Path) -> Settings:
    url = str(settings.redis_url).rsplit("/", 1)[0] + f"/{redis_db}"
    return settings.model_copy(
        update={
            "redis_url": RedisDsn(url),
            "index_alias": f"bench-pipeline-{uuid.uuid4().hex[:8]}",
            "state_dir": state_dir,
            "sources_file": sources,
        }
    )


def _indexed(es: Elasticsearch, alias: str) -> int:
    es.indices.refresh(index=alias)
    return int(es.count(index=alias)["count"])


def _searchable(es: Elasticsearch, alias: str, url: str) -> bool:
    es.indices.refresh(index=alias)
    hits = es.count(index=alias, query={"term": {"canonical_url": url}})
    return int(hits["count"]) > 0


@contextmanager
def _running(*processes: BackgroundProcess) -> Iterator[None]:
    try:
        for process in processes:
            process.start(timeout_s=180)
        yield
    finally:
        for process in reversed(processes):
            process.stop()


def _crawl_argv() -> list[str]:
    return [sys.executable, "-m", "newsloom_cli", "crawl", _SOURCE_ID]


def _freshness(
    site: BenchSite, es: Elasticsearch, settings: Settings, trigger: Callable[[], None], n: int
) -> list[float | None]:
    """Seconds from publication to searchable for ``n`` articles; None past the timeout."""
    latencies: list[float | None] = []
    for _ in range(n):
        url = site.publish()
        published = time.monotonic()
        trigger()

        def searchable(url: str = url) -> bool:
            return _searchable(es, settings.index_alias, url)

        found = wait_until(searchable, 150, interval_s=0.25)
        latencies.append(time.monotonic() - published if found else None)
    return latencies


def _percentiles(values: list[float | None]) -> str:
    found = sorted(value for value in values if value is not None)
    missed = len(values) - len(found)
    if not found:
        return f"none within 150 s ({missed} missed)"
    p95 = found[min(len(found) - 1, round(0.95 * (len(found) - 1)))]
    text = f"p50 {statistics.median(found):.1f} s, p95 {p95:.1f} s"
    return text + (f", {missed} not within 150 s" if missed else "")


def main(
    pages: Annotated[int, typer.Option(min=10, help="Article pages to serve and crawl.")] = 1000,
    concurrency: Annotated[int, typer.Option(min=1, help="Worker child processes.")] = 2,
    redis_db: Annotated[int, typer.Option(help="Empty Redis database for the run.")] = 13,
    fresh: Annotated[int, typer.Option(min=0, help="Articles published per freshness path.")] = 5,
    poll_s: Annotated[int, typer.Option(min=1, help="The source's crawl interval.")] = 30,
    shared_dir: Annotated[
        Path | None, typer.Option(help="Holds corpus/ (default: setting).")
    ] = None,
) -> None:
    """Serve pages, run the baselines and the pipeline on them, and print the comparison."""
    base = get_settings()
    site = BenchSite(shared_dir or base.shared_dir, pages)
    state_dir = Path(tempfile.mkdtemp(prefix="newsloom-bench-pipeline-"))
    settings = _bench_settings(base, redis_db, state_dir, site.sources_file(state_dir, poll_s))
    client = redis_client(settings)
    if client.dbsize():
        raise typer.BadParameter(f"Redis database {redis_db} is not empty; pass --redis-db")
    es = create_client(settings)
    ensure_index(es, settings.index_alias)
    env = {**os.environ, **settings.as_environment()}
    try:
        corpus = corpus_pages(shared_dir or base.shared_dir)
        html = [_page(corpus, n, site.origin) for n in range(min(pages, 600))]
        texts = [page.decode("utf-8", "replace") for page in html]
        console.print("baselines: extraction alone, fetch only")
        extraction = {
            (name, processes): _pages_per_s(work, items, processes)
            for name, work, items in (
                ("trafilatura", _trafilatura, texts),
                ("newsloom", _newsloom, list(zip(site.urls(), texts, strict=False))),
            )
            for processes in (1, 2)
        }
        urls_file = state_dir / "urls.txt"
        urls_file.write_text("\n".join(site.urls()))
        fetch_argv = [sys.executable, "-m", "bench.fetch_only", str(urls_file)]
        fetch_wall, fetch_cpu, _ = _run_child(fetch_argv, env)

        console.print(f"pipeline: crawl {pages} pages until all are searchable")
        worker = worker_process(settings, name="bench-pipeline-worker", concurrency=concurrency)
        with _running(worker):
            assert worker.pid is not None
            before_worker, es_before, redis_before = (
                tree_sample(worker.pid), _es_cpu_s(es), _redis_cpu_s(settings)
            )  # fmt: skip
            started = time.monotonic()
            crawl_wall, crawl_cpu, crawl_rss = _run_child(_crawl_argv(), env)
            if not wait_until(
                lambda: _indexed(es, settings.index_alias) >= pages, 1800, interval_s=0.5
            ):
                raise RuntimeError(f"not all {pages} articles were indexed within 30 minutes")
            pipeline_wall = time.monotonic() - started
            after_worker = tree_sample(worker.pid)
            worker_cpu = after_worker.cpu_s - before_worker.cpu_s
            es_cpu, redis_cpu = _es_cpu_s(es) - es_before, _redis_cpu_s(settings) - redis_before

            console.print("freshness: manual path")

            def crawl_now() -> None:
                _run_child(_crawl_argv(), env)

            manual = _freshness(site, es, settings, crawl_now, fresh)
            console.print("freshness: scheduled path (beat and the crawl worker)")
            beat = BackgroundProcess(
                "bench-beat", [sys.executable, "-m", "newsloom_cli", "beat", "--max-interval", "5"],
                state_dir / "logs" / "beat.log", ready_pattern=r"beat: Starting", env=env,
            )  # fmt: skip
            crawl_worker = BackgroundProcess(
                "bench-crawl-worker", [sys.executable, "-m", "newsloom_cli", "crawl-worker"],
                state_dir / "logs" / "crawl-worker.log", ready_pattern=r"ready\.", env=env,
            )  # fmt: skip
            with _running(crawl_worker, beat):
                scheduled = _freshness(site, es, settings, lambda: None, fresh)
    finally:
        site.stop()
        remove_index(es, settings.index_alias)
        client.flushdb()

    rate = pages / pipeline_wall
    ratios = Table(title=f"whole pipeline vs baselines, {pages} pages, same run")
    for column in ("measure", "value", "ratio"):
        ratios.add_column(column, justify="left" if column == "measure" else "right")
    alone = extraction[("trafilatura", 2)]
    ratios.add_row("trafilatura.extract alone, 2 processes", f"{alone:.1f} pages/s", "1.00")
    ratios.add_row("whole pipeline, crawl start -> all searchable", f"{rate:.1f} articles/s",
                   f"{rate / alone:.2f}")  # fmt: skip
    crawl_rate = pages / crawl_wall
    ratios.add_row("crawl (fetch, extract, archive, queue), start -> end",
                   f"{crawl_rate:.1f} articles/s", f"{crawl_rate / alone:.2f}")  # fmt: skip
    ratios.add_row("Scrapy fetch only", f"{pages / fetch_wall:.1f} pages/s",
                   f"{pages / fetch_wall / alone:.2f}")  # fmt: skip
    for name in ("trafilatura", "newsloom"):
        one, two = extraction[(name, 1)], extraction[(name, 2)]
        ratios.add_row(f"{name} extraction, 2 vs 1 process", f"{two:.1f} vs {one:.1f} pages/s",
                       f"{two / one:.2f}")  # fmt: skip
    console.print(ratios)

    cost = Table(title="CPU ms per article, by process kind")
    for column in ("process", "CPU ms/article", "peak RSS MiB"):
        cost.add_column(column, justify="left" if column == "process" else "right")
    cost.add_row("crawler (with its extraction processes)", f"{1000 * crawl_cpu / pages:.0f}",
                 f"{crawl_rss:.0f}")  # fmt: skip
    cost.add_row("workers (all processes)", f"{1000 * worker_cpu / pages:.0f}",
                 f"{after_worker.rss_mib:.0f} (at the end)")  # fmt: skip
    cost.add_row("Elasticsearch", f"{1000 * es_cpu / pages:.0f}", "-")
    cost.add_row("Redis", f"{1000 * redis_cpu / pages:.0f}", "-")
    cost.add_row("fetch only (baseline)", f"{1000 * fetch_cpu / pages:.0f}", "-")
    console.print(cost)

    freshness = Table(title=f"published -> searchable, {fresh} articles per path")
    freshness.add_column("path")
    freshness.add_column("latency", justify="right")
    freshness.add_row("manual: `newsloom crawl` at publication", _percentiles(manual))
    freshness.add_row(f"scheduled: beat, {poll_s} s crawl interval", _percentiles(scheduled))
    console.print(freshness)


if __name__ == "__main__":
    typer.run(main)
