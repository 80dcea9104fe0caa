"""The Kibana saved objects, checked by the rules Kibana's import applies, and their import."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from typing import Any

import pytest

from newsloom.settings import Settings
from ops.kibana.importer import SAVED_OBJECTS
from search.templates import field_types

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
    assert all({"type", "id", "attributes", "references"} <= set(o) for o in objects)
    assert {o["type"] for o in objects} == {"index-pattern", "search", "visualization", "map",
                                            "dashboard"}  # fmt: skip


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
        [sys.executable, "-m", "ops.kibana", "import"],
        env={**os.environ, **settings.as_environment(), "NEWSLOOM_KIBANA_URL":
             f"http://127.0.0.1:{port}", "COLUMNS": "200"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot reach Kibana" in result.stdout and "NEWSLOOM_KIBANA_URL" in result.stdout
