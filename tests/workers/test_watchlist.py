"""The watch list: validation errors that name file, entry and field, the check command,
and the entities stage version following the file's content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsloom.errors import InvalidInputError
from newsloom.settings import get_settings
from newsloom_cli.errors import describe_failure
from workers.enrichment.entities import METHOD_VERSION
from workers.enrichment.gazetteer import Gazetteer
from workers.enrichment.watchlist import WatchListError
from workers.enrichment.watchlist_cli import entities_app


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "people:\n  - {name: Kim Jong-un, country: kp}\n",
            "people[0] (Kim Jong-un): field 'country'",
        ),
        (
            "places:\n  - {name: Seoul, lat: 37.5}\n",
            "places[0] (Seoul): field '(entry)': Value error, lat and lon",
        ),
        (
            "weapons:\n  - {name: KN-23, range: 700}\n",
            "weapons[0] (KN-23): field 'range': Extra inputs",
        ),
        ("people:\n  - {aliases: [X]}\n", "people[0]: field 'name'"),
        ("monsters:\n  - {name: X}\n", "unknown section(s) ['monsters']"),
        (
            "people:\n  - {name: A B, aliases: [Same]}\n  - {name: C D, aliases: [same]}\n",
            "people[1] (C D): field 'aliases': 'same' already names 'A B'",
        ),
        ("people: [\n", "not valid YAML"),
    ],
)
def test_errors_name_the_file_entry_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(WatchListError) as error:
        Gazetteer.from_file(path)
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


def test_the_packaged_watch_list_is_valid() -> None:
    gazetteer = Gazetteer.from_file(get_settings().watchlist_file)
    assert gazetteer.by_name["Kyiv"].country == "UA"
    assert gazetteer.lookup("Kiev") == gazetteer.by_name["Kyiv"]
    assert gazetteer.is_demonym("North Korean")


def test_check_command_reports_valid_and_invalid_files(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(entities_app, ["check", str(get_settings().watchlist_file)])
    assert good.exit_code == 0, good.output
    assert "valid" in good.output and "watchlist-" in good.output
    bad = runner.invoke(entities_app, ["check", str(_write(tmp_path, "people:\n  - {name: ''}\n"))])
    # The CLI boundary maps the error to its one line and exit code 2 (tests/test_cli.py).
    code, message = describe_failure(bad.exception or AssertionError(bad.output))
    assert code == InvalidInputError.exit_code
    assert "people[0]" in message and "'name'" in message


def _entities_version(watchlist: Path) -> str:
    code = "from workers.reenrich import current_versions; print(current_versions()['entities'])"
    environment = {**os.environ, "NEWSLOOM_WATCHLIST_FILE": str(watchlist)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment,
        check=True, timeout=120,
    )  # fmt: skip
    return result.stdout.strip()


def test_an_edit_changes_the_entities_stage_version(tmp_path: Path) -> None:
    original = get_settings().watchlist_file.read_text(encoding="utf-8")
    before = _entities_version(_write(tmp_path, original))
    edited = original + "  - {name: Hwasong-20, country: KP}\n"  # the file ends in weapons
    after = _entities_version(_write(tmp_path, edited))
    assert before.startswith(f"{METHOD_VERSION}+") and after.startswith(f"{METHOD_VERSION}+")
    assert before != after
