"""Freed heap memory handed back to the operating system after a task."""

from __future__ import annotations

import subprocess
import sys

# In a process of its own, so the heap holds only what this check allocates. The blocks are
# above pymalloc's small-object limit (they come from glibc's heap) and one block allocated
# after them stays alive, so the freed ones sit inside the heap where glibc keeps them.
_CHECK = """
from pathlib import Path
from workers.memory import release_free_memory

def anonymous_mib():
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1]) / 1024

blocks = [bytearray(2000) for _ in range(40_000)]
pin = bytearray(2000)
del blocks
before = anonymous_mib()
released = release_free_memory()
print(released, round(before - anonymous_mib()))
"""


def test_freed_heap_goes_back_to_the_operating_system() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK], capture_output=True, text=True, check=True, timeout=60
    )
    released, freed_mib = done.stdout.split()
    assert released == "True"
    assert int(freed_mib) >= 50, f"only {freed_mib} MiB of the 76 MiB freed went back"
