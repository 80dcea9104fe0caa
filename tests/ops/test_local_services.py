"""Local Redis and Elasticsearch for real: started from nothing, idempotent, failing clearly."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from newsloom.settings import Settings
from ops.dev.local import services
from ops.dev.local.cli import services_app
from ops.dev.local.elasticsearch_server import elasticsearch_paths, transport_port
from ops.dev.local.errors import ServiceError
from ops.dev.local.redis_server import redis_paths
from ops.dev.local.services import ServiceName
from ops.dev.local.supervision import port_in_use

pytestmark = pytest.mark.integration

# Ports the failure tests occupy themselves (tests/ops/conftest.py has the main ones);
# services are never meant to come up on them.
SPARE_REDIS_PORTS = (16391, 16392, 16393, 16394, 16395)
SPARE_ELASTICSEARCH_PORTS = (19291, 19292, 19293, 19294, 19295)


def _es(settings: Settings, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{settings.elasticsearch_port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture
def running(ops_settings: Settings) -> Settings:
    """Both services up: started on first use, then a cheap no-op (so test order is free)."""
    services.up(ops_settings)
    return ops_settings


def test_redis_up_twice_is_harmless(ops_settings: Settings) -> None:
    [first] = services.up(ops_settings, only=ServiceName.REDIS)
    [second] = services.up(ops_settings, only=ServiceName.REDIS)

    assert first.healthy and first.pid is not None
    assert second.pid == first.pid
    with redis.Redis(port=ops_settings.redis_port, decode_responses=True) as client:
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        assert client.config_get("dir")["dir"] == str(redis_paths(ops_settings).data)


def test_redis_port_held_by_a_stranger_fails_clearly(
    make_settings: Callable[[int, int], Settings],
) -> None:
    settings = make_settings(SPARE_REDIS_PORTS[0], SPARE_ELASTICSEARCH_PORTS[0])
    with socket.create_server(("127.0.0.1", settings.redis_port)):
        with pytest.raises(ServiceError) as caught:
            services.up(settings, only=ServiceName.REDIS)
        [current] = services.status(settings, only=ServiceName.REDIS)

    message = str(caught.value)
    assert str(redis_paths(settings).log) in message
    assert "not newsloom's Redis" in message
    assert current.pid is None and not current.healthy
    assert current.detail == "port taken by another process"


def test_redis_dying_while_starting_shows_its_log(
    make_settings: Callable[[int, int], Settings],
) -> None:
    settings = make_settings(SPARE_REDIS_PORTS[1], SPARE_ELASTICSEARCH_PORTS[1])
    # Bound but not listening: invisible to a connect probe, so Redis really starts and
    # then dies on bind(); the error must come from its log, quickly.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", settings.redis_port))
        started = time.monotonic()
        with pytest.raises(ServiceError) as caught:
            services.up(settings, only=ServiceName.REDIS)
        elapsed = time.monotonic() - started

    message = str(caught.value)
    assert "exited while starting" in message
    assert str(redis_paths(settings).log) in message
    assert "Address already in use" in message
    assert elapsed < 10


def test_cli_reports_service_error_and_exits_non_zero(
    make_settings: Callable[[int, int], Settings],
) -> None:
    settings = make_settings(SPARE_REDIS_PORTS[2], SPARE_ELASTICSEARCH_PORTS[2])
    with socket.create_server(("127.0.0.1", settings.redis_port)):
        result = CliRunner().invoke(services_app, ["up", "--only", "redis"], obj=settings)

    assert result.exit_code == 1
    assert str(redis_paths(settings).log) in result.output


def test_elasticsearch_port_held_by_a_stranger_fails_fast(
    make_settings: Callable[[int, int], Settings],
) -> None:
    settings = make_settings(SPARE_REDIS_PORTS[3], SPARE_ELASTICSEARCH_PORTS[3])
    started = time.monotonic()
    with (
        socket.create_server(("127.0.0.1", settings.elasticsearch_port)),
        pytest.raises(ServiceError) as caught,
    ):
        services.up(settings, only=ServiceName.ELASTICSEARCH)

    message = str(caught.value)
    assert "not newsloom's Elasticsearch" in message
    assert str(elasticsearch_paths(settings).log) in message
    assert time.monotonic() - started < 5  # checked before any download or JVM start


def test_elasticsearch_dying_while_starting_shows_its_log(
    make_settings: Callable[[int, int], Settings],
) -> None:
    settings = make_settings(SPARE_REDIS_PORTS[4], SPARE_ELASTICSEARCH_PORTS[4])
    # The transport port bound but not listening: the node really starts, then fails to
    # bind it and exits; we must notice that early, not after the 120 s deadline.
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", transport_port(settings)))
        started = time.monotonic()
        with pytest.raises(ServiceError) as caught:
            services.up(settings, only=ServiceName.ELASTICSEARCH)
        elapsed = time.monotonic() - started

    message = str(caught.value)
    assert "failed to start" in message
    assert f"Log file: {elasticsearch_paths(settings).log}" in message
    assert "BindTransportException" in message
    assert elapsed < 90
    [current] = services.status(settings, only=ServiceName.ELASTICSEARCH)
    assert current.pid is None and current.detail == "not running"


def test_elasticsearch_is_healthy(running: Settings) -> None:
    health = _es(running, "GET", "/_cluster/health")

    assert health["cluster_name"] == "newsloom"
    assert health["status"] in ("green", "yellow")
    assert health["number_of_nodes"] == 1
    nodes = _es(running, "GET", "/_nodes/_local/settings")
    [node] = nodes["nodes"].values()
    assert node["name"] == "newsloom-1"
    assert node["settings"]["transport"]["port"] == str(transport_port(running))


def test_hunspell_en_us_filter_stems(running: Settings) -> None:
    analyzed = _es(
        running,
        "POST",
        "/_analyze",
        {
            "tokenizer": "standard",
            "filter": ["lowercase", {"type": "hunspell", "locale": "en_US"}],
            "text": "Sanctions communications",
        },
    )

    # Debian's en_US dictionary derives "communications" from "communicate" (flag X,
    # "-ions"); its "communication" entry has no plural flag, so that is the stem.
    assert [token["token"] for token in analyzed["tokens"]] == ["sanction", "communicate"]


def test_up_again_is_harmless_and_quick(running: Settings) -> None:
    before = services.status(running)
    started = time.monotonic()
    after = services.up(running)

    assert time.monotonic() - started < 5
    assert [row.pid for row in after] == [row.pid for row in before]
    assert all(row.healthy for row in after)


def test_status_cli_prints_a_table(running: Settings) -> None:
    result = CliRunner().invoke(services_app, ["status"], obj=running)

    assert result.exit_code == 0, result.output
    for row in services.status(running):
        assert row.name in result.output
        assert str(row.pid) in result.output
        assert row.address in result.output


def test_down_stops_everything_and_up_brings_the_data_back(running: Settings) -> None:
    _es(running, "PUT", "/survives-restart", {"settings": {"number_of_replicas": 0}})
    with redis.Redis(port=running.redis_port) as client:
        client.set("survives-restart", "yes")

    stopped = services.down(running)
    again = services.down(running)  # stopping what is stopped is fine

    assert [(row.pid, row.healthy, row.detail) for row in stopped + again] == [
        (None, False, "not running")
    ] * 4
    assert not port_in_use(running.redis_port)
    assert not port_in_use(running.elasticsearch_port)
    assert not elasticsearch_paths(running).pidfile.exists()
    assert not redis_paths(running).pidfile.exists()

    restarted = services.up(running)  # a warm start: distribution and data are in place
    assert all(row.healthy for row in restarted)
    indices = _es(running, "GET", "/_cat/indices?format=json&h=index")
    assert {"index": "survives-restart"} in indices
    with redis.Redis(port=running.redis_port, decode_responses=True) as client:
        assert client.get("survives-restart") == "yes"
