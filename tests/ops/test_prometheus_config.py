"""The Prometheus scrape config and alert rules, checked by the real ``promtool``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from newsloom.queues import ALL_QUEUES, CRAWL_QUEUE
from newsloom.settings import REPO_ROOT
from ops.prometheus.cli import DEFAULT_QUEUES

PROMETHEUS_DIR = REPO_ROOT / "ops" / "prometheus"
RULES = PROMETHEUS_DIR / "rules" / "newsloom.yml"
RULE_TESTS = PROMETHEUS_DIR / "tests" / "newsloom_test.yml"
RUNBOOK = REPO_ROOT / "ops" / "README.md"


def promtool(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """Run promtool; it is in the Debian ``prometheus`` package (ops/dev/local/bootstrap.sh)."""
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: run ops/dev/local/bootstrap.sh"
    return subprocess.run(
        [binary, *map(str, arguments)], capture_output=True, text=True, timeout=120, check=False
    )


def alert_names() -> list[str]:
    """Every alert the rules file defines."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule]


def test_scrape_config_is_valid() -> None:
    result = promtool("check", "config", PROMETHEUS_DIR / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_alert_rules_are_valid() -> None:
    result = promtool("check", "rules", RULES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_pass_their_unit_tests() -> None:
    result = promtool("test", "rules", RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_tests_catch_a_wrong_expectation(tmp_path: Path) -> None:
    # Proves promtool really evaluates our expectations: flip one and it must fail.
    broken = RULE_TESTS.read_text().replace("source: yonhap}", "source: nknews}")
    assert broken != RULE_TESTS.read_text()
    (tmp_path / "rules").mkdir()
    shutil.copy(RULES, tmp_path / "rules" / RULES.name)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / RULE_TESTS.name).write_text(broken)
    result = promtool("test", "rules", tmp_path / "tests" / RULE_TESTS.name)
    assert result.returncode != 0
    assert "NewsloomSourceSilent" in result.stdout + result.stderr


def test_every_alert_is_tested_and_explained() -> None:
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    sections = {
        line.removeprefix("### ").strip().lower()
        for line in RUNBOOK.read_text().splitlines()
        if line.startswith("### ")
    }
    for alert in alert_names():
        assert alert in tested, f"{alert} has no case in {RULE_TESTS.name}"
        anchor = re.search(r"runbook: ops/README.md#(\w+)", _rule_text(alert))
        assert anchor, f"{alert} has no runbook annotation"
        assert anchor.group(1) in sections, f"ops/README.md has no section for {alert}"


def _rule_text(alert: str) -> str:
    text = RULES.read_text()
    start = text.index(f"alert: {alert}\n")
    return text[start : text.find("- alert:", start + 1)]


@pytest.mark.parametrize(
    "job", ["newsloom-exporter", "newsloom-worker", "newsloom-crawler", "newsloom-api"]
)
def test_alerted_jobs_are_scraped(job: str) -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    assert job in {scrape["job_name"] for scrape in config["scrape_configs"]}


DASHBOARD = REPO_ROOT / "ops" / "grafana" / "dashboards" / "newsloom-pipeline.json"
METRIC_SOURCES = [
    REPO_ROOT / "crawler" / "extensions" / "metrics.py",
    REPO_ROOT / "workers" / "metrics.py",
    REPO_ROOT / "ops" / "prometheus" / "queues.py",
    REPO_ROOT / "ops" / "prometheus" / "sources.py",
    REPO_ROOT / "newsloom" / "metrics.py",
    REPO_ROOT / "search" / "api" / "metrics.py",  # the API's own request metrics
]


def dashboard_expressions() -> list[str]:
    """Every PromQL expression of the provisioned dashboard."""
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def _base_name(series: str) -> str:
    return re.sub(r"_(total|bucket|count|sum)$", "", series)


def test_dashboards_and_alerts_use_metrics_the_code_exports() -> None:
    exported = {
        name
        for path in METRIC_SOURCES
        for name in re.findall(r'"(newsloom_[a-z_]+)"', path.read_text())
    }
    used = set(re.findall(r"newsloom_[a-z_]+", " ".join(dashboard_expressions())))
    used |= set(re.findall(r"newsloom_[a-z_]+", RULES.read_text()))
    unknown = {name for name in used if _base_name(name) not in exported}
    assert not unknown, f"no code exports {sorted(unknown)}"


def test_dashboard_uses_the_provisioned_datasource() -> None:
    datasources = yaml.safe_load(
        (
            REPO_ROOT / "ops" / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
        ).read_text()
    )["datasources"]
    uids = {source["uid"] for source in datasources}
    panels = json.loads(DASHBOARD.read_text())["panels"]
    for panel in panels:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] in uids, panel["title"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "Grafana needs unique panel ids"


def test_the_exporter_watches_every_queue_by_default() -> None:
    # A queue it does not watch can back up without NewsloomQueueBacklog ever firing.
    assert {*ALL_QUEUES, CRAWL_QUEUE} <= set(DEFAULT_QUEUES)


def test_per_source_panels_follow_the_source_variable() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    (variable,) = [v for v in dashboard["templating"]["list"] if v["name"] == "source"]
    assert variable["type"] == "query" and variable["includeAll"] and variable["multi"]
    assert variable["allValue"] == ".*", "All must match every source, even unlisted ones"
    assert "source)" in variable["query"]["query"]
    per_source = [
        expression
        for expression in dashboard_expressions()
        if "by (source)" in expression or "by (le, source)" in expression
        or "newsloom_source_" in expression or "source_silent" in expression
    ]  # fmt: skip
    assert len(per_source) >= 5
    for expression in per_source:
        selectors = re.findall(r"(newsloom[:\w]+)(\{[^}]*\})?", expression)
        for metric, matchers in selectors:
            assert 'source=~"$source"' in matchers, f"{metric} ignores $source in {expression}"


def test_dashboard_expressions_are_valid_promql(tmp_path: Path) -> None:
    # promtool parses rule expressions: each panel query becomes one, variables filled in.
    rules = [
        {"record": f"newsloom:dashboard_check_{index}", "expr": expression.replace("$source", ".*")}
        for index, expression in enumerate(dashboard_expressions())
    ]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr
    path.write_text(yaml.safe_dump({"groups": [{"name": "broken", "rules": [
        {"record": "newsloom:broken", "expr": "sum by (source (x)"}
    ]}]}))  # fmt: skip
    assert promtool("check", "rules", path).returncode != 0
