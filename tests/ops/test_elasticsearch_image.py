"""The scripts baked into the Elasticsearch image pass secrets to curl without a command line."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from newsloom.settings import REPO_ROOT

KIBANA_PASSWORD_SCRIPT = REPO_ROOT / "ops" / "elasticsearch" / "kibana-password.sh"


class _Recorder(BaseHTTPRequestHandler):
    """Answers 200 and keeps each request's path, Authorization header and body."""

    seen: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers.get("Authorization", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:  # keep the test output clean
        return


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """A real HTTP server on a loopback port, standing in for Elasticsearch."""
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    finally:
        server.shutdown()
        server.server_close()


def test_kibana_password_is_set_with_the_elastic_user(
    recorder: tuple[str, list[tuple[str, str, bytes]]], tmp_path: Path
) -> None:
    url, seen = recorder
    (tmp_path / "elastic_password").write_text("elastic-0a1b\n")
    (tmp_path / "kibana_password").write_text("kibana-2c3d\n")
    result = subprocess.run(
        ["sh", str(KIBANA_PASSWORD_SCRIPT), url], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "SECRETS_DIR": str(tmp_path)}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [(path, authorization, body)] = seen
    assert path == "/_security/user/kibana_system/_password"
    assert base64.b64decode(authorization.removeprefix("Basic ")) == b"elastic:elastic-0a1b"
    assert json.loads(body) == {"password": "kibana-2c3d"}


def test_a_missing_secret_stops_the_script(
    recorder: tuple[str, list[tuple[str, str, bytes]]], tmp_path: Path
) -> None:
    url, seen = recorder
    result = subprocess.run(
        ["sh", str(KIBANA_PASSWORD_SCRIPT), url], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "SECRETS_DIR": str(tmp_path)}, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "elastic_password" in result.stderr
    assert not seen
