"""The real Prometheus scraping a real prefork worker and the pipeline exporter.

The worker recycles its children after every task, so these tests also show that counters
survive children coming and going (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from newsloom import quarantine
from newsloom.queues import ENRICH_TASK, INDEX_TASK
from newsloom.schema import Article, article_id
from newsloom.settings import REPO_ROOT, Settings
from newsloom.state import redis_client
from ops.dev.local.background import BackgroundProcess
from ops.dev.local.launch import worker_process
from search.indexer import index_article
from tests.ops.test_metrics_crawler import free_port, scrape, value
from tests.ops.test_prometheus_config import dashboard_expressions
from workers.app import create_celery
from workers.metrics import MULTIPROC_ENV

pytestmark = pytest.mark.integration

WORKER_QUEUE = "metrics-test"  # only this module's worker consumes it
BACKLOG_QUEUE = "metrics-backlog"  # nobody consumes it: a backlog the exporter must see
TASKS = 6
BACKLOG = 3
INDEXED = 3  # index tasks that write a new document
BROKEN = 311  # the article number of an index task that cannot succeed


@dataclass(frozen=True)
class Endpoints:
    """Where this module's worker, exporter, search API and Prometheus listen."""

    worker: str
    exporter: str
    api: str
    prometheus: str


def _prometheus_config(directory: Path, targets: dict[str, int]) -> Path:
    """ops/prometheus/prometheus.yml with loopback targets (job: port), scraped every second."""
    config = yaml.safe_load((REPO_ROOT / "ops" / "prometheus" / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["rule_files"] = [str(REPO_ROOT / "ops" / "prometheus" / "rules" / "*.yml")]
    assert targets.keys() <= {scrape["job_name"] for scrape in config["scrape_configs"]}
    config["scrape_configs"] = [
        {"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
        for job, port in targets.items()
    ]
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def endpoints(services: Settings, es: Elasticsearch) -> Iterator[Endpoints]:
    """A metrics-enabled worker, the exporter, the search API and Prometheus, on loopback."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: run ops/dev/local/bootstrap.sh"
    root = Path(tempfile.mkdtemp(prefix="newsloom-prometheus-test-"))
    worker_port, exporter_port, api_port, prometheus_port = (free_port() for _ in range(4))
    worker = worker_process(
        services.model_copy(update={"worker_metrics_port": worker_port}),
        name="metrics-worker",
        queues=(WORKER_QUEUE,),
        concurrency=2,
    )
    worker.argv += ["--max-tasks-per-child", "1"]
    worker.env[MULTIPROC_ENV] = str(root / "multiproc")
    exporter = BackgroundProcess(
        "exporter",
        [sys.executable, "-m", "newsloom_cli", "metrics", "serve", "--port", str(exporter_port),
         "--queue", BACKLOG_QUEUE, "--queue", WORKER_QUEUE],
        services.state_dir / "logs" / "exporter.log",
        ready_pattern=r"metrics exporter ready",
        env={**services.as_environment(), "COLUMNS": "200"},
    )  # fmt: skip
    api = BackgroundProcess(
        "api",
        [sys.executable, "-m", "search.api", "--port", str(api_port)],
        services.state_dir / "logs" / "metrics-api.log",
        ready_pattern=r"Uvicorn running on",
        env=services.as_environment(),
    )
    targets = {
        "newsloom-worker": worker_port, "newsloom-exporter": exporter_port,
        "newsloom-api": api_port,
    }  # fmt: skip
    prometheus = BackgroundProcess(
        "prometheus",
        [binary, f"--config.file={_prometheus_config(root, targets)}",
         f"--storage.tsdb.path={root / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        services.state_dir / "logs" / "prometheus.log",
        ready_pattern=r"Server is ready to receive web requests",
    )  # fmt: skip
    try:
        with worker, exporter, api, prometheus:
            worker.start(timeout_s=120)
            exporter.start(timeout_s=60)
            api.start(timeout_s=60)
            prometheus.start(timeout_s=60)
            yield Endpoints(
                f"http://127.0.0.1:{worker_port}/metrics",
                f"http://127.0.0.1:{exporter_port}/metrics",
                f"http://127.0.0.1:{api_port}",
                f"http://127.0.0.1:{prometheus_port}",
            )
    finally:
        redis_client(services).delete(BACKLOG_QUEUE, WORKER_QUEUE)
        shutil.rmtree(root, ignore_errors=True)


def _article(number: int) -> dict[str, object]:
    return Article(
        url=f"https://metrics.example/{number}",
        canonical_url=f"https://metrics.example/{number}",
        source_id="metrics-test",
        source_name="Metrics test",
        title=f"Metrics test article {number}",
        body="North Korea launched a ballistic missile toward the East Sea on Monday. " * 5,
    ).model_dump(mode="json")


def _wait(check: str, probe: Callable[[], bool], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out waiting until {check}")


def _query(endpoints: Endpoints, promql: str) -> list[dict[str, object]]:
    url = f"{endpoints.prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    result: list[dict[str, object]] = body["data"]["result"]
    return result


def _scalar(endpoints: Endpoints, promql: str) -> float | None:
    result = _query(endpoints, promql)
    return float(result[0]["value"][1]) if result else None  # type: ignore[index]


def _send_index_tasks(services: Settings, es: Elasticsearch) -> None:
    """New documents, an older copy of an indexed one (stale) and one that cannot be indexed."""
    now = datetime.now(UTC)
    newer = Article.from_document({**_article(310), "fetched_at": now})
    assert index_article(es, services.index_alias, newer)
    older = {**_article(310), "fetched_at": (now - timedelta(days=1)).isoformat()}
    broken = {**_article(BROKEN), "published_at": "not a date"}  # a permanent failure
    with create_celery(services) as celery:
        for payload in [*(_article(300 + n) for n in range(INDEXED)), older, broken]:
            celery.send_task(INDEX_TASK, args=[payload], queue=WORKER_QUEUE)


@pytest.fixture(scope="module")
def worked(services: Settings, es: Elasticsearch, endpoints: Endpoints) -> Iterator[Endpoints]:
    """Send the tasks and the backlog, and index a fresh and a silent source, once."""
    with create_celery(services) as celery:
        for number in range(TASKS):
            celery.send_task(ENRICH_TASK, args=[_article(number)], queue=WORKER_QUEUE)
        for number in range(BACKLOG):
            celery.send_task(ENRICH_TASK, args=[_article(100 + number)], queue=BACKLOG_QUEUE)
    _send_index_tasks(services, es)
    now = datetime.now(UTC)
    fresh = Article.from_document(
        {**_article(200), "source_id": "health-fresh", "authors": ["Kim Tong-hyung"],
         "published_at": now.isoformat()}
    )  # fmt: skip
    undated = Article.from_document({**_article(201), "source_id": "health-fresh"})
    silent = Article.from_document(
        {**_article(202), "source_id": "health-silent", "fetched_at": (now - timedelta(days=3))}
    )
    for article in (fresh, undated, silent):
        assert index_article(es, services.index_alias, article)
    es.indices.refresh(index=services.index_alias)
    yield endpoints
    # The broken index task's quarantine entry is ours; other tests count the quarantine.
    client = redis_client(services)
    broken_id = article_id(str(_article(BROKEN)["canonical_url"]))
    for entry in list(quarantine.entries(client)):
        if entry.article_id == broken_id:
            quarantine.remove(client, entry.id)


def test_worker_counts_every_task_across_recycled_children(worked: Endpoints) -> None:
    def all_counted() -> bool:
        samples = scrape(worked.worker)
        return value(samples, "newsloom_worker_tasks_total", task=ENRICH_TASK) >= TASKS

    _wait("the worker counted every task", all_counted)
    samples = scrape(worked.worker)
    # --max-tasks-per-child 1: six tasks ran in six different children, all still counted.
    assert value(samples, "newsloom_worker_tasks_total", task=ENRICH_TASK, outcome="success") == (
        TASKS
    )
    assert value(samples, "newsloom_worker_task_seconds_count", task=ENRICH_TASK) == TASKS
    assert value(samples, "newsloom_worker_task_seconds_sum", task=ENRICH_TASK) > 0


def test_prometheus_reads_worker_and_exporter_series(worked: Endpoints) -> None:
    successes = f'sum(newsloom_worker_tasks_total{{task="{ENRICH_TASK}",outcome="success"}})'
    _wait(
        "Prometheus scraped every success",
        lambda: (_scalar(worked, successes) or 0) >= TASKS,
    )
    assert _scalar(worked, successes) == TASKS
    assert _scalar(worked, 'up{job="newsloom-worker"}') == 1
    # Prometheus spreads its targets' first scrapes over the interval: the exporter's may
    # come after the worker's series are complete.
    _wait(
        "Prometheus scraped the exporter",
        lambda: _scalar(worked, 'up{job="newsloom-exporter"}') is not None,
    )
    assert _scalar(worked, 'up{job="newsloom-exporter"}') == 1
    assert _scalar(worked, f'newsloom_queue_depth{{queue="{BACKLOG_QUEUE}"}}') == BACKLOG
    assert _scalar(worked, "newsloom_redis_up") == 1
    assert _scalar(worked, "newsloom_elasticsearch_up") == 1
    assert _scalar(worked, "newsloom_quarantine_size") is not None
    assert _scalar(worked, "newsloom_elasticsearch_write_rejections_total") is not None


def test_the_worker_counts_index_writes_by_outcome(worked: Endpoints) -> None:
    documents = 'sum(newsloom_index_documents_total{{outcome="{}"}})'
    _wait(
        "Prometheus scraped every index outcome",
        lambda: (
            (_scalar(worked, documents.format("failed")) or 0) >= 1
            and (_scalar(worked, documents.format("indexed")) or 0) >= INDEXED
            and (_scalar(worked, documents.format("stale")) or 0) >= 1
        ),
    )
    assert _scalar(worked, documents.format("indexed")) == INDEXED
    assert _scalar(worked, documents.format("stale")) == 1
    assert _scalar(worked, documents.format("failed")) == 1
    # Every write that reached Elasticsearch is timed; the broken one never got there.
    writes = 'sum(newsloom_index_seconds_count{operation="index"})'
    assert _scalar(worked, writes) == INDEXED + 1
    index_failures = f'sum(newsloom_worker_tasks_total{{task="{INDEX_TASK}",outcome="failure"}})'
    assert _scalar(worked, index_failures) == 1


SEARCHES = 3


def _call_api(endpoints: Endpoints) -> None:
    """Searches that succeed, and an article that is not there (404)."""
    for _ in range(SEARCHES):
        with urllib.request.urlopen(f"{endpoints.api}/search?q=missile", timeout=30) as answer:
            assert answer.status == 200
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{endpoints.api}/articles/{'0' * 32}", timeout=30)
    missing.value.close()  # the error holds the open response
    assert missing.value.code == 404


def test_prometheus_reads_api_requests_by_route_and_status(worked: Endpoints) -> None:
    _call_api(worked)
    searches = 'sum(newsloom_api_requests_total{route="/search",status="200"})'
    missing = 'sum(newsloom_api_requests_total{route="/articles/{article_id}",status="404"})'
    _wait(
        "Prometheus scraped the searches and the 404",
        lambda: (_scalar(worked, searches) or 0) >= SEARCHES and _scalar(worked, missing) == 1,
    )
    assert _scalar(worked, searches) == SEARCHES
    timed = 'sum(newsloom_api_request_seconds_count{route="/search"})'
    assert _scalar(worked, timed) == SEARCHES
    assert _scalar(worked, 'up{job="newsloom-api"}') == 1


def _rules(endpoints: Endpoints) -> dict[str, dict[str, object]]:
    with urllib.request.urlopen(f"{endpoints.prometheus}/api/v1/rules", timeout=10) as response:
        groups = json.load(response)["data"]["groups"]
    return {rule["name"]: rule for group in groups for rule in group["rules"]}


def test_prometheus_loaded_the_alert_rules(worked: Endpoints) -> None:
    names = set(_rules(worked))
    assert {"NewsloomWorkerDown", "NewsloomQueueBacklog", "NewsloomSourceSilent"} <= names
    # A worker answers, so the "no workers" alert goes quiet (it may be pending from before
    # the first scrape, or from a scrape that timed out on a busy machine).
    _wait(
        "NewsloomNoWorkers is inactive",
        lambda: _rules(worked)["NewsloomNoWorkers"]["state"] == "inactive",
    )


def test_every_dashboard_query_is_valid_promql(worked: Endpoints) -> None:
    for expression in dashboard_expressions():
        _query(worked, expression)  # raises on a parse error: Prometheus answers 400


def test_prometheus_reads_per_source_health_and_finds_the_silent_source(
    worked: Endpoints,
) -> None:
    articles = 'newsloom_source_articles{source="health-fresh"}'
    _wait("the exporter reported the fresh source", lambda: _scalar(worked, articles) == 2)
    share = 'newsloom_source_field_share{{source="health-fresh",field="{}"}}'
    assert _scalar(worked, share.format("authors")) == 0.5
    assert _scalar(worked, share.format("published_at")) == 0.5
    assert _scalar(worked, share.format("body")) == 1
    assert _scalar(worked, 'newsloom_source_articles_last_day{source="health-silent"}') == 0
    # The NewsloomSourceSilent expression, evaluated by Prometheus on these real series.
    # The recording rule NewsloomSourceSilent fires on, evaluated by Prometheus on real series.
    silent = "newsloom:source_silent == 1"
    _wait("Prometheus flagged the silent source", lambda: bool(_query(worked, silent)))
    flagged = [series["metric"]["source"] for series in _query(worked, silent)]  # type: ignore[index]
    assert flagged == ["health-silent"]
    assert _scalar(worked, 'newsloom:source_silent{source="health-fresh"}') == 0
