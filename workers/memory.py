"""Freed heap memory handed back to the operating system after each task, in pool children.

Enriching an article allocates and frees tens of MiB of small objects (spaCy's documents,
the analysers' lattices, the article's own copies). glibc's allocator keeps freed pages
inside the heap for reuse and returns only a free stretch at its very top, so a pool child's
resident memory settles at its high-water mark: about 55 MiB of free heap after a hundred
mixed-language articles. ``malloc_trim(0)`` also releases the free pages inside the heap;
after each task it takes about a millisecond, and the pages the next article needs again
are faulted back in: some 10% more CPU per article, which ``NEWSLOOM_WORKER_RELEASE_MEMORY``
turns off for a deployment that would rather spend memory. Only glibc has it; elsewhere
(musl, macOS) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache
from typing import Any

from celery import signals

from newsloom.settings import get_settings

__all__ = ["release_free_memory"]


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is None:
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release_free_memory() -> bool:
    """Return the heap's free pages to the operating system; ``False`` where libc cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@cache
def _enabled() -> bool:
    # Read once per process: settings are parsed from the environment on every call.
    return get_settings().worker_release_memory


@signals.task_postrun.connect
def _after_task(**_: Any) -> None:
    """After every task, in the process that ran it (``worker_release_memory``)."""
    if _enabled():
        release_free_memory()
