"""``newsloom api`` serves the search API with uvicorn (``kibana import``: test_kibana.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from elasticsearch import Elasticsearch

from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from tests.ops.test_metrics_crawler import free_port


@pytest.mark.integration
def test_api_command_serves_the_api_on_loopback(services: Settings, es: Elasticsearch) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "newsloom_cli", "api", "--host", "127.0.0.1", "--port", str(port)]
    log = services.state_dir / "logs" / "api.log"
    with BackgroundProcess(
        "api", argv, log, r"Uvicorn running on", env=services.as_environment()
    ) as api:
        api.start(timeout_s=120)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=30)
        assert health.status_code == 200, health.text
        assert health.json()["alias"] == services.index_alias
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=30).json()
        assert "/search" in spec["paths"]


def test_api_command_refuses_to_serve_without_a_key(settings: Settings) -> None:
    closed = settings.model_copy(update={"api_key": "", "api_open_access": False})
    result = subprocess.run(
        [sys.executable, "-m", "newsloom_cli", "api", "--port", str(free_port())],
        env={**os.environ, **closed.as_environment()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "set NEWSLOOM_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr
