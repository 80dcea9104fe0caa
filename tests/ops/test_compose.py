"""The compose deployment, validated without a container engine.

Debian's ``docker-compose`` (1.29) renders and checks the file, and the rendered file must
satisfy the Compose Specification's JSON schema (vendored in ``tests/ops/data/``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from newsloom.settings import REPO_ROOT, Settings

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
COMPOSE_SPEC = Path(__file__).parent / "data" / "compose_spec.json"
COMPOSE_SPEC_SHA256 = "0dc04bd346dcfee1b1419628fff79937bbf076925f298f272a2b490e2b112bac"
DOCKERFILE = REPO_ROOT / "Dockerfile"
PROMETHEUS_CONFIG = REPO_ROOT / "ops" / "prometheus" / "prometheus.yml"
# Roles the code and the runbook refer to by these names.
EXPECTED_SERVICES = {
    "redis", "elasticsearch", "kibana", "api", "worker", "beat", "crawler", "exporter",
    "prometheus", "grafana", "pushgateway", "index-setup",
}  # fmt: skip
ONE_SHOT = {"hunspell", "kibana-setup", "index-setup"}  # run to completion, nothing to probe
APP_SERVICES = {"api", "worker", "beat", "crawler", "exporter", "index-setup"}


def compose(*arguments: str, env_file: Path = ENV_EXAMPLE) -> subprocess.CompletedProcess[str]:
    """Run Debian's docker-compose against the repository's file."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: run ops/dev/local/bootstrap.sh"
    return subprocess.run(
        [binary, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *arguments],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin"},  # no stray REDIS_PASSWORD etc. from the caller
    )  # fmt: skip


@cache
def rendered() -> dict[str, Any]:
    """The file as docker-compose resolves it with the .env.example values."""
    result = compose("config")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def services() -> dict[str, dict[str, Any]]:
    """Rendered services by name."""
    found: dict[str, dict[str, Any]] = rendered()["services"]
    return found


def compose_spec_schema() -> dict[str, Any]:
    """The Compose Specification schema, vendored (see tests/ops/data/README.md)."""
    schema: dict[str, Any] = json.loads(COMPOSE_SPEC.read_text())
    return schema


def test_compose_config_is_valid_with_the_example_env() -> None:
    result = compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_every_variable_the_file_reads_is_in_the_env_example() -> None:
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE_FILE.read_text()))
    documented = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert used, "the pattern found no variables: the check would prove nothing"
    assert not used - documented, f".env.example lacks {sorted(used - documented)}"


def test_missing_secrets_stop_the_deployment(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose("config", "-q", env_file=empty)
    assert result.returncode != 0
    assert "set REDIS_PASSWORD in .env" in result.stderr


def test_rendered_file_follows_the_compose_specification() -> None:
    schema = compose_spec_schema()
    validator = jsonschema.Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(rendered()), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_vendored_schema_is_the_recorded_release() -> None:
    digest = hashlib.sha256(COMPOSE_SPEC.read_bytes()).hexdigest()
    assert digest == COMPOSE_SPEC_SHA256, "compose_spec.json changed: update tests/ops/data/"


def test_the_schema_check_catches_a_broken_file() -> None:
    broken = {**rendered(), "services": {"worker": {"image": "x", "depends_on": 5}}}
    assert list(jsonschema.Draft201909Validator(compose_spec_schema()).iter_errors(broken))


def test_every_expected_service_exists() -> None:
    missing = EXPECTED_SERVICES - services().keys()
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


def test_every_scrape_target_is_a_service() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    for scrape in config["scrape_configs"]:
        hosts = [
            target.split(":")[0]
            for static in scrape.get("static_configs", [])
            for target in static["targets"]
        ] + [name for dns in scrape.get("dns_sd_configs", []) for name in dns["names"]]
        for host in hosts:
            assert host == "localhost" or host in services(), (scrape["job_name"], host)


def test_metrics_ports_match_the_scrape_config() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    ports = {
        dns["names"][0]: dns["port"]
        for scrape in config["scrape_configs"]
        for dns in scrape.get("dns_sd_configs", [])
    }
    assert services()["worker"]["environment"]["NEWSLOOM_WORKER_METRICS_PORT"] == str(
        ports["worker"]
    )
    assert services()["crawler"]["environment"]["NEWSLOOM_CRAWLER_METRICS_PORT"] == str(
        ports["crawler"]
    )
    assert "exporter:9412" in PROMETHEUS_CONFIG.read_text()
    assert services()["exporter"]["command"][-1] == "9412"


@pytest.mark.parametrize("name", sorted(EXPECTED_SERVICES))
def test_long_running_services_are_healthchecked_and_limited(name: str) -> None:
    service = services()[name]
    assert service["deploy"]["resources"]["limits"]["memory"], name
    if name not in ONE_SHOT and name != "beat":
        assert service["healthcheck"]["test"], name


def test_dependencies_wait_for_health_or_completion() -> None:
    for name, service in services().items():
        for dependency, condition in service.get("depends_on", {}).items():
            wanted = condition["condition"]
            if wanted == "service_healthy":
                assert "healthcheck" in services()[dependency], (name, dependency)
            else:
                assert wanted == "service_completed_successfully", (name, dependency)
                assert dependency in ONE_SHOT, (name, dependency)


def test_app_settings_are_real_settings_fields() -> None:
    fields = {f"NEWSLOOM_{name.upper()}" for name in Settings.model_fields}
    for name in APP_SERVICES:
        environment = services()[name]["environment"]
        unknown = {key for key in environment if key.startswith("NEWSLOOM_")} - fields
        assert not unknown, f"{name} sets variables Settings does not read: {unknown}"


def test_data_services_are_durable_and_protected() -> None:
    redis = services()["redis"]
    command = " ".join(redis["command"]) if isinstance(redis["command"], list) else redis["command"]
    for flag in ("--appendonly yes", "--maxmemory-policy noeviction", "--requirepass"):
        assert flag in command
    elasticsearch = services()["elasticsearch"]
    assert elasticsearch["environment"]["xpack.security.enabled"] == "true"
    assert elasticsearch["environment"]["ELASTIC_PASSWORD"]
    mounts = " ".join(str(volume) for volume in elasticsearch["volumes"])
    assert "/usr/share/elasticsearch/config/hunspell/en_US" in mounts
    for name in ("redis", "elasticsearch", "prometheus", "grafana"):
        assert services()[name].get("volumes"), f"{name} keeps no data volume"


def test_published_ports_are_loopback_only() -> None:
    for name, service in services().items():
        for port in service.get("ports", []):
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", (name, port)


def test_workers_scale_with_replicas() -> None:
    assert services()["worker"]["deploy"]["replicas"] == 2
    assert "container_name" not in services()["worker"], "a fixed name cannot be scaled"


def test_dockerfile_is_multi_stage_non_root_and_installs_from_the_lock() -> None:
    text = DOCKERFILE.read_text()
    assert len(re.findall(r"^FROM ", text, flags=re.MULTILINE)) >= 2
    user = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    installs = re.findall(r"^RUN .*", text, flags=re.MULTILINE)
    syncs = [line for line in installs if "uv sync" in line]
    assert syncs and all("--frozen" in line for line in syncs)
    # The only pip install is uv itself, pinned.
    assert [line for line in installs if "pip install" in line] == [
        "RUN pip install --no-cache-dir uv==0.13.9"
    ]
