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
import time
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import redis
import yaml
from pydantic import RedisDsn

from crawler.archive import warc_directory
from newsloom.settings import REPO_ROOT, Settings
from newsloom.state import redis_client
from tests.ops.test_metrics_crawler import free_port

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
COMPOSE_SPEC = Path(__file__).parent / "data" / "compose_spec.json"
COMPOSE_SPEC_SHA256 = "0dc04bd346dcfee1b1419628fff79937bbf076925f298f272a2b490e2b112bac"
DOCKERFILE = REPO_ROOT / "Dockerfile"
ELASTICSEARCH_DOCKERFILE = REPO_ROOT / "ops" / "elasticsearch" / "Dockerfile"
PROMETHEUS_CONFIG = REPO_ROOT / "ops" / "prometheus" / "prometheus.yml"
ALERTMANAGER_CONFIG = REPO_ROOT / "ops" / "alertmanager" / "alertmanager.yml"
MAKE_SECRETS = REPO_ROOT / "ops" / "make-secrets.sh"
# Roles the code and the runbook refer to by these names.
EXPECTED_SERVICES = {
    "redis", "elasticsearch", "kibana", "api", "worker", "beat", "crawler", "exporter",
    "prometheus", "grafana", "pushgateway", "index-setup", "alertmanager",
}  # fmt: skip
ONE_SHOT = {"kibana-setup", "index-setup"}  # run to completion, nothing to probe
APP_SERVICES = {"api", "worker", "beat", "crawler", "exporter", "index-setup"}


def compose(*arguments: str, env_file: Path = ENV_EXAMPLE) -> subprocess.CompletedProcess[str]:
    """Run Debian's docker-compose against the repository's file."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: run ops/dev/local/bootstrap.sh"
    return subprocess.run(
        [binary, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *arguments],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin"},  # no stray SECRETS_DIR etc. from the caller
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


def test_the_example_env_holds_no_secrets() -> None:
    names = [line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines() if "=" in line]
    assert names, "no variables found: the check would prove nothing"
    assert not [name for name in names if re.search(r"PASSWORD|SECRET$|TOKEN|_KEY$", name)]


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
def test_services_are_limited(name: str) -> None:
    assert services()[name]["deploy"]["resources"]["limits"]["memory"], name


def test_every_long_running_service_is_healthchecked() -> None:
    unprobed = [
        name
        for name, service in services().items()
        if name not in ONE_SHOT and not service.get("healthcheck", {}).get("test")
    ]
    assert not unprobed, f"no healthcheck on {unprobed}"
    assert "beat" not in ONE_SHOT and "alertmanager" in services()


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
    for flag in ("--appendonly yes", "--maxmemory-policy noeviction", "--aclfile /run/secrets/"):
        assert flag in command
    assert "--requirepass" not in command
    elasticsearch = services()["elasticsearch"]
    assert elasticsearch["environment"]["xpack.security.enabled"] == "true"
    assert elasticsearch["environment"]["ELASTIC_PASSWORD_FILE"].startswith("/run/secrets/")
    for name in ("redis", "elasticsearch", "prometheus", "grafana", "alertmanager"):
        assert _named_volumes(services()[name]), f"{name} keeps no data volume"


def _named_volumes(service: dict[str, Any]) -> dict[str, str]:
    """Mount target -> top-level named volume, for the service's named-volume mounts."""
    found = {}
    for mount in service.get("volumes", []):
        if isinstance(mount, str):
            source, target = mount.split(":")[:2]
        elif mount.get("type", "volume") == "volume":
            source, target = mount["source"], mount["target"]
        else:
            continue
        if source in rendered().get("volumes", {}):
            found[target] = source
    return found


def test_the_crawl_archive_is_on_a_durable_volume() -> None:
    crawler = services()["crawler"]
    state_dir = Path(crawler["environment"]["NEWSLOOM_STATE_DIR"])
    archive = warc_directory(state_dir)
    volumes = _named_volumes(crawler)
    holding = [target for target in volumes if archive.is_relative_to(target)]
    assert holding, f"{archive} is on no named volume of the crawler ({volumes})"
    tmpfs = crawler.get("tmpfs", [])
    assert not [path for path in tmpfs if state_dir.is_relative_to(path)], "archive on tmpfs"
    # The image creates the mount point for its non-root user, so the new volume is writable.
    assert f"install -d -o newsloom -g newsloom {state_dir}" in DOCKERFILE.read_text()


def test_operator_config_is_mounted_into_every_app_service() -> None:
    for name in APP_SERVICES:
        service = services()[name]
        binds = {
            mount["target"]: mount
            for mount in service.get("volumes", [])
            if isinstance(mount, dict) and mount.get("type") == "bind"
        }
        for setting in ("NEWSLOOM_SOURCES_FILE", "NEWSLOOM_WATCHLIST_FILE"):
            mount = binds.get(service["environment"][setting])
            assert mount, f"{name}: {setting} is not a mounted file"
            assert mount["read_only"] and Path(mount["source"]).is_file(), (name, mount)


def _secret_files(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An env file whose SECRETS_DIR holds secrets written by ops/make-secrets.sh."""
    secrets = tmp_path / "secrets"
    result = subprocess.run(
        ["sh", str(MAKE_SECRETS)], env={"PATH": "/usr/bin:/bin", "SECRETS_DIR": str(secrets)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    env_file = tmp_path / "test.env"
    env_file.write_text(ENV_EXAMPLE.read_text() + f"\nSECRETS_DIR={secrets}\n")
    return env_file, {path.name: path.read_text().strip() for path in secrets.iterdir()}


def test_no_secret_reaches_urls_argv_or_environment(tmp_path: Path) -> None:
    env_file, secrets = _secret_files(tmp_path)
    result = compose("config", env_file=env_file)
    assert result.returncode == 0, result.stderr
    assert len(secrets) >= 6 and all(secrets.values())
    for name, value in secrets.items():
        assert value not in result.stdout, f"the {name} secret appears in the rendered file"
    config = yaml.safe_load(result.stdout)
    assert set(config["secrets"]) == set(secrets), "make-secrets.sh and compose disagree"
    for name, service in config["services"].items():
        text = json.dumps(service)
        assert not re.search(r"[a-z]+://[^/\s\"@]*@", text), f"{name}: credentials in a URL"
        for key, value in service.get("environment", {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN|API_KEY", key):
                assert re.search(r"_FILE$", key) and str(value).startswith("/run/secrets/"), (
                    name, key,
                )  # fmt: skip
        # Every secret a service reads is mounted into it.
        mounted = {secret["source"] for secret in service.get("secrets", [])}
        for used in re.findall(r"/run/secrets/(\w+)", text):
            assert used in mounted, f"{name} reads {used} but does not mount it"


def test_the_redis_acl_from_make_secrets_admits_the_password_file(tmp_path: Path) -> None:
    _, secrets = _secret_files(tmp_path)
    unused_port = free_port()
    secrets_dir = tmp_path / "secrets"
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: run ops/dev/local/bootstrap.sh"
    server = subprocess.Popen(
        [binary, "--port", str(unused_port), "--bind", "127.0.0.1", "--save", "",
         "--aclfile", str(secrets_dir / "redis_acl"), "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = RedisDsn(f"redis://127.0.0.1:{unused_port}/0")
        settings = Settings(redis_url=url, redis_password_file=secrets_dir / "redis_password")
        client = redis_client(settings)
        deadline = time.monotonic() + 10
        while True:
            try:
                assert client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        with pytest.raises(redis.AuthenticationError):
            redis_client(Settings(redis_url=url)).set("newsloom:test", "1")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert secrets["redis_password"] not in (secrets_dir / "redis_acl").read_text()


def test_alertmanager_is_wired_to_prometheus_and_its_config_is_valid() -> None:
    alertmanager = services()["alertmanager"]
    prometheus = services()["prometheus"]
    assert prometheus["depends_on"]["alertmanager"]["condition"] == "service_healthy"
    targets = [
        target
        for manager in yaml.safe_load(PROMETHEUS_CONFIG.read_text())["alerting"]["alertmanagers"]
        for static in manager["static_configs"]
        for target in static["targets"]
    ]
    assert targets == ["alertmanager:9093"]
    binds = [str(volume).split(":") for volume in alertmanager["volumes"]]
    mounts = {parts[1]: parts[0] for parts in binds if parts[0].startswith("/")}
    config_path = next(
        argument.split("=", 1)[1] for argument in alertmanager["command"]
        if argument.startswith("--config.file=")
    )  # fmt: skip
    assert Path(mounts[config_path]) == ALERTMANAGER_CONFIG
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    [receiver] = [r for r in config["receivers"] if r["name"] == config["route"]["receiver"]]
    secret_files = re.findall(r"/run/secrets/(\w+)", json.dumps(receiver))
    assert secret_files, "the receiver has no destination"
    assert set(secret_files) <= {secret["source"] for secret in alertmanager["secrets"]}
    result = amtool("check-config", ALERTMANAGER_CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr


def test_amtool_rejects_a_receiverless_route(tmp_path: Path) -> None:
    broken = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    broken["route"]["receiver"] = "nobody"
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(broken))
    assert amtool("check-config", path).returncode != 0


def amtool(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """Run amtool, from Debian's ``prometheus-alertmanager`` (ops/dev/local/bootstrap.sh)."""
    binary = shutil.which("amtool")
    assert binary, "amtool is missing: run ops/dev/local/bootstrap.sh"
    return subprocess.run(
        [binary, *map(str, arguments)], capture_output=True, text=True, timeout=60, check=False
    )


def _dockerfile_images(path: Path) -> list[str]:
    """The images a Dockerfile builds FROM, with ARG defaults filled in; stages left out."""
    text = path.read_text()
    defaults = dict(re.findall(r"^ARG (\w+)=(\S+)", text, flags=re.MULTILINE))
    stages = set(re.findall(r"^FROM \S+ AS (\S+)", text, flags=re.MULTILINE))
    images = []
    for reference in re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE):
        resolved = re.sub(r"\$\{(\w+)\}", lambda match: defaults[match.group(1)], reference)
        if resolved not in stages:
            images.append(resolved)
    return images


# An exact release (1.2.3, v1.2.3, optionally -suffixed) or a digest; never a moving tag.
PINNED = re.compile(r"^[\w./-]+(:v?\d+\.\d+\.\d+(-[\w.-]+)?)?(@sha256:[0-9a-f]{64})?$")


def test_every_image_is_pinned_to_an_exact_version() -> None:
    images = [service["image"] for service in services().values()]
    images += _dockerfile_images(DOCKERFILE) + _dockerfile_images(ELASTICSEARCH_DOCKERFILE)
    assert len(images) > len(services())
    for image in images:
        assert PINNED.match(image) and (":" in image or "@" in image), f"{image} is not pinned"
    assert not PINNED.match("redis:7.4") and not PINNED.match("grafana/grafana:latest")
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert services()["api"]["image"] == f"newsloom:{version}"


def test_elasticsearch_image_has_the_dictionary_baked_in() -> None:
    assert "hunspell" not in services(), "a service installs the dictionary at run time"
    elasticsearch = services()["elasticsearch"]
    assert Path(elasticsearch["build"]["context"]) == ELASTICSEARCH_DOCKERFILE.parent
    assert services()["kibana-setup"]["image"] == elasticsearch["image"]
    text = ELASTICSEARCH_DOCKERFILE.read_text()
    images = _dockerfile_images(ELASTICSEARCH_DOCKERFILE)
    assert (
        images[-1]
        == "docker.elastic.co/elasticsearch/elasticsearch:"
        + (elasticsearch["build"]["args"]["ELASTIC_VERSION"])
    )
    assert re.search(r"COPY --from=\w+ .*\n?.*en_US\.aff .*en_US\.dic", text)
    assert "/usr/share/elasticsearch/config/hunspell/en_US/" in text
    # The dictionary the image bakes is the one the tests stem with (the local package).
    pinned = re.search(r"hunspell-en-us=(\S+)", text)
    assert pinned, "the dictionary package is not pinned"
    local = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "hunspell-en-us"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert local.stdout == pinned.group(1)


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
