"""The Kibana saved objects, checked by the rules Kibana's import applies, and their import."""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
import yaml
from pydantic import HttpUrl

from newsloom.settings import REPO_ROOT, Settings
from ops.kibana.importer import SAVED_OBJECTS
from search.templates import field_types
from tests.conftest import run_cli

_KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")
_AGGREGATABLE = {"keyword", "date", "integer", "float", "geo_point"}


def _objects() -> list[dict[str, Any]]:
    lines = SAVED_OBJECTS.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "blank line in NDJSON"
    return [json.loads(line) for line in lines]


def _kql_fields(query: str, prefix: str = "") -> set[str]:
    # Nested KQL `path:{ field : value }` names fields relative to the path.
    fields = set()
    for nested, inner in re.findall(r"([\w.]+)\s*:\s*\{([^}]*)\}", query):
        fields |= {f"{nested}.{field}" for field in _KQL_FIELD.findall(inner)}
    outer = re.sub(r"[\w.]+\s*:\s*\{[^}]*\}", "", query)
    return fields | {prefix + field for field in _KQL_FIELD.findall(outer)}


def _fields_named(obj: dict[str, Any]) -> set[str]:
    attributes = obj["attributes"]
    named: set[str] = set()
    if obj["type"] == "index-pattern":
        named.add(attributes["timeFieldName"])
    if obj["type"] == "search":
        named |= set(attributes["columns"]) | {field for field, _ in attributes["sort"]}
    source = attributes.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
    if source:
        named |= _kql_fields(json.loads(source)["query"]["query"])
    if obj["type"] == "visualization":
        for agg in json.loads(attributes["visState"])["aggs"]:
            if "field" in agg["params"]:
                named.add(agg["params"]["field"])
    if obj["type"] == "map":
        for layer in json.loads(attributes["layerListJSON"]):
            named.add(layer["sourceDescriptor"]["geoField"])
            named |= set(layer["sourceDescriptor"].get("tooltipProperties", []))
    return named


def test_every_line_is_a_saved_object_with_a_unique_id() -> None:
    objects = _objects()
    assert [o["id"] for o in objects] == list(dict.fromkeys(o["id"] for o in objects))
    required = {"type", "id", "attributes", "references", "coreMigrationVersion"}
    assert all(required <= set(o) and "typeMigrationVersion" in o for o in objects)
    assert {o["type"] for o in objects} == {"index-pattern", "search", "visualization", "map",
                                            "dashboard"}  # fmt: skip


# Kibana 8.8+ stamps every object it writes with its last core migration, this one.
CORE_MIGRATION_VERSION = "8.8.0"


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_every_object_carries_migration_versions_the_pinned_kibana_accepts() -> None:
    # Kibana refuses an object stamped newer than itself, and runs every migration after the
    # stamped version on import: so each stamp is the format the object is written in.
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["kibana"]["image"]
    pinned = re.fullmatch(r"[\w./-]+:\$\{ELASTIC_VERSION:-([\d.]+)\}", image)
    assert pinned and pinned.group(1) == Settings().elasticsearch_version, image
    kibana = _release(pinned.group(1))
    for obj in _objects():
        assert obj["coreMigrationVersion"] == CORE_MIGRATION_VERSION, obj["id"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", obj["typeMigrationVersion"]), obj["id"]
        assert _release(obj["typeMigrationVersion"]) <= kibana, obj["id"]
    assert _release(CORE_MIGRATION_VERSION) <= kibana


def test_data_view_reads_the_alias_by_publication_time() -> None:
    (view,) = [o for o in _objects() if o["type"] == "index-pattern"]
    assert view["attributes"]["title"] == Settings().index_alias
    assert view["attributes"]["timeFieldName"] == "published_at"


def test_every_reference_resolves() -> None:
    objects = _objects()
    known = {(o["type"], o["id"]) for o in objects}
    for obj in objects:
        names = {ref["name"] for ref in obj["references"]}
        assert {(r["type"], r["id"]) for r in obj["references"]} <= known, obj["id"]
        text = json.dumps(obj["attributes"])
        # Every reference name the attributes use is declared, and every declared one is used.
        used = set(re.findall(r'(?:RefName\\?"\s*:\s*\\?")([\w.]+)', text))
        assert used == names, obj["id"]


def test_every_field_exists_in_the_mapping_and_aggregations_use_exact_fields() -> None:
    types = field_types()
    for obj in _objects():
        missing = _fields_named(obj) - set(types)
        assert not missing, f"{obj['id']} names unmapped fields {missing}"
        if obj["type"] == "visualization":
            for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
                field = agg["params"].get("field")
                assert field is None or types[field] in _AGGREGATABLE, (obj["id"], field)
                assert not field or not field.startswith("enrichment.entities"), (
                    "Kibana visualisations cannot aggregate nested fields"
                )


def test_dashboard_shows_what_analysts_asked_for() -> None:
    (dashboard,) = [o for o in _objects() if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    assert len(panels) == len(dashboard["references"])
    shown = {ref["id"] for ref in dashboard["references"]}
    wanted = {
        "newsloom-vis-articles-over-time-by-source",
        "newsloom-vis-articles-over-time-by-country",
        "newsloom-map-places",
        "newsloom-search-latest-stories",
    }
    assert wanted <= shown


@pytest.mark.integration
def test_import_says_what_to_do_when_kibana_is_unreachable(settings: Settings) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "newsloom_cli", "kibana", "import"],
        env={**os.environ, **settings.as_environment(), "NEWSLOOM_KIBANA_URL":
             f"http://127.0.0.1:{port}", "COLUMNS": "200"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot reach Kibana" in result.stderr and "NEWSLOOM_KIBANA_URL" in result.stderr
    assert "Traceback" not in result.stderr


class _ImportRecorder(BaseHTTPRequestHandler):
    """Kibana's saved-objects import endpoint, as far as the importer can tell.

    A stand-in, and so a test double of Kibana: acceptable only because Kibana cannot run
    on these machines. It checks what Kibana itself checks before reading a body (the
    ``kbn-xsrf`` header, a multipart file) and records the request for the test to inspect.
    """

    answer: ClassVar[tuple[int, dict[str, Any]]] = (200, {})
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        files = [
            (part.get_param("name", header="content-disposition"), part.get_filename(),
             part.get_content_type(), part.get_payload(decode=True))
            for part in parsed.iter_parts()
        ]  # fmt: skip
        self.received.append({"path": self.path, "headers": dict(self.headers), "files": files})
        if "kbn-xsrf" not in self.headers:  # Kibana's own answer to a missing header
            status, answer = 400, {"message": "Request must contain a kbn-xsrf header."}
        else:
            status, answer = self.answer
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@pytest.fixture
def kibana(settings: Settings) -> Iterator[tuple[Settings, type[_ImportRecorder]]]:
    recorder = type("Recorder", (_ImportRecorder,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = HttpUrl(f"http://127.0.0.1:{server.server_address[1]}")
    yield settings.model_copy(update={"kibana_url": url}), recorder
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.mark.integration
def test_kibana_import_posts_the_ndjson_as_kibana_expects(
    kibana: tuple[Settings, type[_ImportRecorder]],
) -> None:
    settings, recorder = kibana
    count = len(_objects())
    recorder.answer = (200, {"success": True, "successCount": count})
    output = run_cli(settings, "kibana", "import")
    assert f"imported {count} saved objects" in output
    (request,) = recorder.received
    path, _, query = request["path"].partition("?")
    assert path == "/api/saved_objects/_import"
    assert parse_qs(query) == {"overwrite": ["true"]}
    assert request["headers"]["kbn-xsrf"]
    assert request["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    ((field, filename, content_type, content),) = request["files"]
    assert (field, filename) == ("file", "saved_objects.ndjson")
    assert content_type == "application/ndjson"
    assert content == SAVED_OBJECTS.read_bytes()


@pytest.mark.integration
def test_kibana_import_reports_each_refused_object(
    kibana: tuple[Settings, type[_ImportRecorder]],
) -> None:
    settings, recorder = kibana
    refused = {"type": "missing_references", "references": [{"type": "index-pattern"}]}
    recorder.answer = (200, {"success": False, "successCount": 11, "errors": [
        {"type": "map", "id": "newsloom-map-places", "error": refused},
    ]})  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "newsloom_cli", "kibana", "import"],
        env={**os.environ, **settings.as_environment(), "COLUMNS": "200"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "map/newsloom-map-places" in result.stderr and "missing_references" in result.stderr
