"""Case restored where capitals say nothing: ALL-CAPS lines, headline case, datelines.

A statistical recogniser leans on capitals; "JAPAN GET LUCKY WIN" or "Prime Minister Dodges
Criticism" mislead it. Such a line gets each word in the case the same document writes it
elsewhere, in running text and not at a sentence start; a word it never writes there is
lowered, except the line's first word. A wire dateline ("MEXICO CITY (AP) —", "SEOUL, South
Korea -") is a place written in capitals by convention: its words are capitalised, as a
place's name is. Offsets do not move: only case changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["datelines", "is_all_caps", "running_lowercase", "sentence_initial", "truecase"]

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*")
_SENTENCE_END = frozenset(".!?:\"'\u201c\u201d")
_MIN_WORDS = 3
# A line opening with words in capitals, then the agency in brackets, a dash, or a comma and
# a capitalised word (the country after the city): the wire services' dateline.
# Two places filed from are joined by a slash ("BEIRUT/THE HAGUE").
_DATELINE = re.compile(
    r"^[A-Z][A-Z'.\-]+(?:[ /][A-Z][A-Z'.\-]+)*(?=,[ ]+[A-Z][a-z]|[ ]+(?:\(|[\u2014\u2013-][ ]))"
)
_PLACES_APART = re.compile(r"[^/]+")
_MIN_DATELINE_LETTERS = 3
# Words a place's name writes in lower case ("Bosnia and Herzegovina").
_NAME_PARTICLES = frozenset(("and", "of", "the", "de", "la", "el", "on", "upon"))
_HEADLINE_SHARE = 0.6


def _cased_words(line: str) -> list[str]:
    return [word for word in _WORD.findall(line) if word.lower() != word.upper()]


def sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a line or a sentence: its capital says nothing."""
    before = text[text.rfind("\n", 0, start) + 1 : start].rstrip()
    return not before or before[-1] in _SENTENCE_END


def running_lowercase(texts: Sequence[str]) -> frozenset[str]:
    """The words ``texts`` write all in lower case, as common words are ("wildfires")."""
    return frozenset(word for text in texts for word in _WORD.findall(text) if word.islower())


def is_all_caps(line: str) -> bool:
    """Whether every cased word of ``line`` is written in capitals."""
    cased = _cased_words(line)
    return bool(cased) and all(word.isupper() for word in cased)


def _is_headline_case(text: str) -> bool:
    """A one-line text (a title) with most words capitalised."""
    cased = _cased_words(text)
    if "\n" in text or len(cased) < _MIN_WORDS:
        return False
    capitalised = sum(1 for word in cased if word[0].isupper())
    return capitalised / len(cased) > _HEADLINE_SHARE


def _case_table(lines: Sequence[str]) -> dict[str, str]:
    """Each word's most frequent form where its case carries meaning (not line or sentence
    initial), by lower-cased word; a word seen only at sentence starts keeps that form."""
    forms: dict[str, Counter[str]] = {}
    initial: dict[str, str] = {}
    for line in lines:
        for match in _WORD.finditer(line):
            word = match.group()
            if sentence_initial(line, match.start()):
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
        # Unknown capitals most often start a name (a dateline's "BELGRADE").
        return word[0] + word[1:].lower()

    recased = _WORD.sub(replace, line)
    # A form whose lower case has another length (rare letters) would move offsets.
    return recased if len(recased) == len(line) else line


def _dateline(line: str) -> re.Match[str] | None:
    """The place's capitals of the wire dateline ``line`` opens with, if it opens with one
    (a line wholly in capitals is a headline, not a dateline)."""
    match = _DATELINE.match(line)
    if match is None or len(match.group()) < _MIN_DATELINE_LETTERS or is_all_caps(line):
        return None
    return match


def _dateline_recased(line: str, table: dict[str, str]) -> str:
    """``line`` with the capitals of an opening dateline turned into a name's case, but for
    words the document writes in capitals in running text too (acronyms: "UN", "NATO")."""
    match = _dateline(line)
    if match is None:
        return line

    def name_case(word: re.Match[str]) -> str:
        lower = word.group().lower()
        if table.get(lower) == word.group():
            return word.group()
        return lower if lower in _NAME_PARTICLES and word.start() else word.group().capitalize()

    recased = _WORD.sub(name_case, match.group())
    if len(recased) != match.end():
        return line
    return recased + line[match.end() :]


def datelines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each place's capitals in the lines of ``text`` that open with a wire
    dateline ("PUTRAJAYA, Nov 22 —", "SEOUL (Yonhap) -", "BEIRUT/THE HAGUE, March 7")."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        match = _dateline(line)
        if match is not None:
            spans += [
                (offset + place.start(), offset + place.end())
                for place in _PLACES_APART.finditer(match.group())
            ]
        offset += len(line) + 1
    return spans


def truecase(texts: Sequence[str]) -> list[str]:
    """``texts`` (one document's parts: title, body) with ALL-CAPS lines and headline-case
    titles recased from the document's other lines, and datelines in a name's case; each
    text keeps its length."""
    headline = [_is_headline_case(text) for text in texts]
    split = [text.split("\n") for text in texts]
    unreliable = [
        [is_title or is_all_caps(line) for line in lines]
        for lines, is_title in zip(split, headline, strict=True)
    ]
    datelines = any(_DATELINE.match(line) for lines in split for line in lines)
    if not datelines and not any(map(any, unreliable)):
        return list(texts)  # the usual case, and the case table would cost 5 ms a page
    table = _case_table(
        [
            _DATELINE.sub("", line)  # its capitals are the convention's, not the words'
            for lines, flags in zip(split, unreliable, strict=True)
            for line, flag in zip(lines, flags, strict=True)
            if not flag
        ]
    )
    return [
        "\n".join(
            _recase(line, table) if flag else _dateline_recased(line, table)
            for line, flag in zip(lines, flags, strict=True)
        )
        for lines, flags in zip(split, unreliable, strict=True)
    ]
