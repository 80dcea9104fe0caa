"""The extraction benchmark: its body metric, and one real run on a small corpus copy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.extraction import body_scores, fold_of, is_cjk, shingle_counts
from newsloom.settings import get_settings


def test_shingles_are_four_word_windows() -> None:
    assert shingle_counts("a b c d e") == {"a b c d": 1, "b c d e": 1}
    assert shingle_counts("too short") == {"too short": 1}


def test_body_scores_count_missing_and_extra_text() -> None:
    truth = "one two three four five six"
    assert body_scores(truth, truth) == (1.0, 1.0)
    precision, recall = body_scores(truth, "one two three four five")
    assert (precision, recall) == (1.0, 2 / 3)
    assert body_scores(truth, "") == (0.0, 0.0)
    assert body_scores("", "") == (1.0, 1.0)


def _small_corpus(tmp_path: Path) -> tuple[Path, Path]:
    corpus = get_settings().shared_dir / "corpus"
    bodies_src = corpus / "article-bodies" / "dev"
    truth = json.loads((bodies_src / "ground-truth.json").read_text(encoding="utf-8"))
    key = sorted(truth)[0]
    bodies = tmp_path / "bodies"
    bodies.mkdir()
    shutil.copy(bodies_src / f"{key}.html.gz", bodies)
    (bodies / "ground-truth.json").write_text(json.dumps({key: truth[key]}), encoding="utf-8")
    publishers = tmp_path / "publishers" / "xx"
    publishers.mkdir(parents=True)
    page = sorted((corpus / "publishers" / "dev").rglob("*.json"))[0]
    shutil.copy(page, publishers)
    shutil.copy(page.with_name(page.name.removesuffix(".json") + ".html.gz"), publishers)
    return bodies, publishers.parent


@pytest.mark.timeout(300)
def test_benchmark_prints_table_and_writes_every_page(tmp_path: Path) -> None:
    bodies, publishers = _small_corpus(tmp_path)
    out = tmp_path / "fields.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.extraction", "--bodies", str(bodies),
         "--publishers", str(publishers), "--out", str(out)],
        capture_output=True, text=True, timeout=280, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "newsloom" in result.stdout
    assert "trafilatura" in result.stdout
    assert "fold A" in result.stdout
    assert "CJK pages" in result.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    for extractor in ("newsloom", "trafilatura"):
        pages = written[extractor]
        assert len(pages) == 2
        publisher_page = next(v for k, v in pages.items() if k.startswith("publishers/"))
        assert set(publisher_page) == {"body", "title", "authors", "publishing_date"}
        assert publisher_page["title"]
        bodies_page = next(v for k, v in pages.items() if k.startswith("bodies/"))
        assert bodies_page["articleBody"]


def test_benchmark_names_a_missing_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.extraction", "--bodies", str(tmp_path / "nope")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "NEWSLOOM_SHARED_DIR" in result.stderr + result.stdout


def test_folds_split_by_site_and_stay_put() -> None:
    folds = {fold_of(f"site{i}.example") for i in range(20)}
    assert folds == {"A", "B"}
    assert fold_of("site1.example") == fold_of("site1.example")


def test_cjk_pages_are_told_by_their_script() -> None:
    assert is_cjk("東京で会議が開かれた")
    assert is_cjk("서울에서 회의가 열렸다")
    assert not is_cjk("Talks open in Tokyo (東京)")
    assert not is_cjk("")
