"""Case restored on lines whose capitals say nothing: ALL-CAPS lines and headline case.

A statistical recogniser leans on capitals; "JAPAN GET LUCKY WIN" or "Prime Minister Dodges
Criticism" mislead it. Such a line gets each word in the case the same document writes it
elsewhere, in running text and not at a sentence start; a word it never writes there is
lowered, except the line's first word. Offsets do not move: only case changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["truecase"]

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*")
_SENTENCE_END = frozenset(".!?:\"'\u201c\u201d")
_MIN_WORDS = 3
_HEADLINE_SHARE = 0.6


def _is_unreliable(line: str) -> bool:
    words = _WORD.findall(line)
    cased = [word for word in words if word.lower() != word.upper()]
    if len(cased) < _MIN_WORDS:
        return False
    if all(word.isupper() for word in cased):
        return True
    capitalised = sum(1 for word in cased if word[0].isupper())
    return capitalised / len(cased) > _HEADLINE_SHARE and not line.rstrip().endswith(".")


def _case_table(lines: Sequence[str]) -> dict[str, str]:
    """Each word's most frequent form where its case carries meaning (not line or sentence
    initial), by lower-cased word; a word seen only at sentence starts keeps that form."""
    forms: dict[str, Counter[str]] = {}
    initial: dict[str, str] = {}
    for line in lines:
        for match in _WORD.finditer(line):
            word = match.group()
            before = line[: match.start()].rstrip()
            if not before or before[-1] in _SENTENCE_END:
                initial.setdefault(word.lower(), word)
                continue
            forms.setdefault(word.lower(), Counter())[word] += 1
    table = {key: counts.most_common(1)[0][0] for key, counts in forms.items()}
    return {**initial, **table}


def _recase(line: str, table: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group()
        known = table.get(word.lower())
        if known is not None:
            return known
        return word[0] + word[1:].lower() if match.start() == first else word.lower()

    words = list(_WORD.finditer(line))
    first = words[0].start() if words else -1
    recased = _WORD.sub(replace, line)
    # A form whose lower case has another length (rare letters) would move offsets.
    return recased if len(recased) == len(line) else line


def truecase(texts: Sequence[str]) -> list[str]:
    """``texts`` (one document's parts) with every unreliable line recased from the
    document's reliable ones; each returned text has its original length."""
    split = [text.split("\n") for text in texts]
    reliable = [line for lines in split for line in lines if not _is_unreliable(line)]
    table = _case_table(reliable)
    return [
        "\n".join(_recase(line, table) if _is_unreliable(line) else line for line in lines)
        for lines in split
    ]
