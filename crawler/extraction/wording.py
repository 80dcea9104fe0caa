"""Word-level comparison of texts that come from different sources of one page.

The same sentence reaches us through the extractor's text, JSON-LD and meta tags with different
whitespace, quotes, entities and case; comparing casefolded word tokens (and runs of four of
them, the shingles the extraction benchmark also uses) makes those copies equal.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["shingles", "words"]

_WORD = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4


def words(text: str) -> list[str]:
    """The casefolded word tokens of ``text``."""
    return [word.casefold() for word in _WORD.findall(text)]


def shingles(tokens: list[str]) -> Counter[str]:
    """Runs of four tokens (one run of all of them when there are fewer)."""
    count = max(1, len(tokens) - _SHINGLE + 1)
    return Counter(" ".join(tokens[i : i + _SHINGLE]) for i in range(count) if tokens)
