"""The crawl metrics extension: stats mapping (unit), a real crawl's served metrics, and the
final values a finished crawl leaves in a real Pushgateway."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from scrapy.utils.test import get_crawler

from crawler.extensions.metrics import FRONTIER_SIZE_KEY, StatsMetricsCollector
from crawler.sources import load_sources
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from tests.conftest import run_cli


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(url: str) -> list[Sample]:
    """Every sample an endpoint serves, parsed by prometheus-client's own parser."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``."""
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


def _collected(stats: dict[str, int]) -> list[Sample]:
    crawler = get_crawler()
    assert crawler.stats is not None
    for key, count in stats.items():
        crawler.stats.set_value(key, count)
    return [s for family in StatsMetricsCollector(crawler.stats).collect() for s in family.samples]


def test_stats_become_drops_errors_robots_and_frontier() -> None:
    samples = _collected(
        {
            "newsloom/dropped/no_article": 3,
            "newsloom/dropped/bad_feed/yonhap": 2,
            "newsloom/dropped/bad_feed/nknews": 1,
            "robotstxt/forbidden": 4,
            "downloader/exception_type_count/twisted.internet.error.DNSLookupError": 5,
            "scheduler/enqueued": 10,
            "scheduler/dequeued": 7,
        }
    )

    assert value(samples, "newsloom_crawl_dropped_total", reason="no_article") == 3
    assert value(samples, "newsloom_crawl_dropped_total", reason="bad_feed") == 3
    assert value(samples, "newsloom_crawl_robots_denied_total") == 4
    error_type = "twisted.internet.error.DNSLookupError"
    assert value(samples, "newsloom_crawl_download_errors_total", type=error_type) == 5
    assert value(samples, "newsloom_crawl_frontier_size") == 3
    assert value(samples, "newsloom_crawl_ssrf_blocked_total") == 0


def test_ssrf_blocks_and_unreadable_robots_are_counted_by_reason() -> None:
    samples = _collected(
        {
            "newsloom/dropped/ssrf_loopback": 2,
            "newsloom/dropped/ssrf_link_local": 1,
            "newsloom/dropped/no_article": 7,
            "newsloom/robots/unreachable_disallow": 3,
        }
    )
    assert value(samples, "newsloom_crawl_ssrf_blocked_total", reason="loopback") == 2
    assert value(samples, "newsloom_crawl_ssrf_blocked_total", reason="link_local") == 1
    assert value(samples, "newsloom_crawl_ssrf_blocked_total") == 3, "no_article is no block"
    # Still drops too, so the drops panel adds up to everything not fetched.
    assert value(samples, "newsloom_crawl_dropped_total", reason="ssrf_loopback") == 2
    assert value(samples, "newsloom_crawl_robots_unreachable_total") == 3


def test_a_shared_frontier_reports_its_own_size() -> None:
    # A frontier outside Scrapy's scheduler (Redis) knows the real backlog of every process.
    samples = _collected(
        {FRONTIER_SIZE_KEY: 42, "scheduler/enqueued": 10, "scheduler/dequeued": 10}
    )
    assert value(samples, "newsloom_crawl_frontier_size") == 42


@pytest.mark.integration
def test_a_real_crawl_serves_its_metrics(services: Settings, fixture_sources: Path) -> None:
    port = free_port()
    environment = {
        **os.environ,
        **services.as_environment(),
        "NEWSLOOM_CRAWLER_METRICS_PORT": str(port),
        # Long enough for this test to read the final values, then we stop the crawl.
        "NEWSLOOM_CRAWLER_METRICS_LINGER_S": "300",
    }
    log_path = services.state_dir / "logs" / "crawl-metrics.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    samples: list[Sample] = []
    with (
        log_path.open("wb") as log,
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsloom_cli",
                "crawl",
                "--sources",
                str(fixture_sources),
            ],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        ) as crawl,
    ):
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and crawl.poll() is None:
                try:
                    samples = scrape(f"http://127.0.0.1:{port}/metrics")
                except OSError:
                    samples = []  # not serving yet
                if value(samples, "newsloom_crawl_finished_timestamp_seconds") > 0:
                    break
                time.sleep(0.5)
            assert crawl.poll() is None, f"the crawl exited early:\n{log_path.read_text()}"
        finally:
            crawl.terminate()
            crawl.wait(30)

    assert value(samples, "newsloom_crawl_finished_timestamp_seconds") > 0, "crawl never ended"
    for source in load_sources(fixture_sources).sources:
        assert value(samples, "newsloom_crawl_responses_total", source=source.id, status="200")
        assert value(samples, "newsloom_crawl_items_total", source=source.id) > 0, source.id
        assert value(samples, "newsloom_crawl_download_seconds_count", source=source.id) > 0
        assert value(samples, "newsloom_crawl_response_bytes_total", source=source.id) > 1000
        assert (
            value(samples, "newsloom_crawl_last_success_timestamp_seconds", source=source.id)
            > time.time() - 600
        )
    items = value(samples, "newsloom_crawl_items_total")
    assert 0 < value(samples, "newsloom_crawl_items_with_field_total", field="body") <= items
    assert value(samples, "newsloom_crawl_frontier_size") == 0


@pytest.mark.integration
def test_a_finished_crawl_leaves_its_metrics_in_the_pushgateway(
    services: Settings, fixture_sources: Path
) -> None:
    binary = shutil.which("prometheus-pushgateway")
    assert binary, "prometheus-pushgateway is missing: run ops/dev/local/bootstrap.sh"
    gateway = BackgroundProcess(
        "pushgateway",
        [binary, "--web.listen-address=127.0.0.1:0"],
        services.state_dir / "logs" / "pushgateway.log",
        ready_pattern=r'msg="Listening on" address=127\.0\.0\.1:(\d+)',
    )
    source = load_sources(fixture_sources).sources[0]
    with gateway:
        url = f"http://127.0.0.1:{gateway.start(timeout_s=60).group(1)}"
        # No metrics port: the crawl is scraped by nobody, only its push keeps its numbers.
        pushing = services.model_copy(update={"pushgateway_url": url, "crawler_metrics_port": 0})
        run_cli(pushing, "crawl", source.id, "--sources", str(fixture_sources))
        samples = scrape(f"{url}/metrics")  # after the crawl process has exited

    pushed = [s for s in samples if s.labels.get("job") == "newsloom_crawl"]
    assert {s.labels.get("sources") for s in pushed} == {source.id}, "one group per source set"
    assert value(pushed, "newsloom_crawl_items_total", source=source.id) > 0
    assert value(pushed, "newsloom_crawl_responses_total", source=source.id, status="200") > 0
    assert value(pushed, "newsloom_crawl_finished_timestamp_seconds") > time.time() - 600
    assert value(pushed, "newsloom_crawl_last_success_timestamp_seconds", source=source.id) > 0
