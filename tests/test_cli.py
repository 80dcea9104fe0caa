"""The command line's error boundary: one line and a telling exit code, never a traceback.

Each command runs in a child process, as a user runs it, against a service address where
nothing listens (port 1 on loopback refuses at once).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsloom.errors import InvalidInputError, NotFoundError, ServiceUnavailableError
from newsloom.settings import Settings

_NOTHING_LISTENS = "127.0.0.1:1"
_ES_DOWN = {"NEWSLOOM_ELASTICSEARCH_URL": f"http://{_NOTHING_LISTENS}"}
_REDIS_DOWN = {"NEWSLOOM_REDIS_URL": f"redis://:secret@{_NOTHING_LISTENS}/0"}


def _newsloom(
    *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsloom_cli", *arguments],
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "arguments",
    [
        ("search", "kim"),
        ("show", "0123456789abcdef"),
        ("index", "init"),
        ("reenrich",),
    ],
)
def test_elasticsearch_down_is_one_line_naming_url_setting_and_next_step(
    arguments: tuple[str, ...],
) -> None:
    result = _newsloom(*arguments, env=_ES_DOWN)
    assert result.returncode == ServiceUnavailableError.exit_code, result.stderr
    line = _one_error_line(result)
    assert f"Elasticsearch at http://{_NOTHING_LISTENS}" in line
    assert "NEWSLOOM_ELASTICSEARCH_URL" in line
    assert "newsloom services status" in line


@pytest.mark.parametrize(
    "arguments",
    [
        ("quarantine", "list"),
        ("quarantine", "show", "some-id"),
        ("quarantine", "replay", "--all"),
        ("crawler", "status", "some-job"),
    ],
)
def test_redis_down_is_one_line_without_the_password(arguments: tuple[str, ...]) -> None:
    result = _newsloom(*arguments, env=_REDIS_DOWN)
    assert result.returncode == ServiceUnavailableError.exit_code, result.stderr
    line = _one_error_line(result)
    assert "NEWSLOOM_REDIS_URL" in line
    assert "newsloom services status" in line
    assert "secret" not in line


def test_bad_input_exits_with_its_own_code(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: [{id: 1}]\n")
    result = _newsloom("crawl", "--sources", str(sources))
    assert result.returncode == InvalidInputError.exit_code, result.stderr
    # A file's problems are listed one per line under the error that names the file.
    first, *details = result.stderr.splitlines()
    assert first.startswith(f"error: {sources}")
    assert any("field name" in line for line in details)
    assert "Traceback" not in result.stderr


def test_invalid_settings_name_the_variable() -> None:
    result = _newsloom("quarantine", "list", env={"NEWSLOOM_REDIS_URL": "not a url"})
    assert result.returncode == InvalidInputError.exit_code, result.stderr
    assert "NEWSLOOM_REDIS_URL" in _one_error_line(result)


def test_debug_shows_the_traceback() -> None:
    result = _newsloom("--debug", "search", "kim", env=_ES_DOWN)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_version_and_help() -> None:
    version = _newsloom("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("newsloom ")
    helped = _newsloom("--help")
    assert helped.returncode == 0
    assert "``" not in helped.stdout
    for command in ("crawl", "worker", "beat", "crawl-worker", "search", "show"):
        assert command in helped.stdout


@pytest.mark.integration
def test_not_found_is_distinct_from_bad_input(services: Settings) -> None:
    result = _newsloom("quarantine", "show", "no-such-entry", env=services.as_environment())
    assert result.returncode == NotFoundError.exit_code, result.stderr
    assert "newsloom quarantine list" in _one_error_line(result)
