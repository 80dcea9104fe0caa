"""Foreign names in Chinese, transliterated part by part and joined by a middle dot.

Chinese writes a foreign person's given name and surname as two runs of characters chosen
for their sound, joined by a middle dot: 唐纳德·特朗普 (Donald Trump), 埃马纽埃尔·马克龙
(Emmanuel Macron), 米歇尔・布兰. jieba's dictionary knows few of them and cuts the rest into
pieces that are words of their own (埃马 + 纽埃, Niue, + 尔), so the name is read from the
dot outwards instead: each side takes the pieces that can belong to a transliteration
(names, places, and single characters of a noun or an adjective) up to a title before the
name (总统), a word of the sentence (a verb, a conjunction, a time) or punctuation.
"""

from __future__ import annotations

from collections.abc import Iterator

from workers.enrichment.titled_names import TITLES

__all__ = ["dotted_names"]

# The middle dots Chinese text joins the parts with (the Latin one, the katakana one, and
# their look-alikes).
_DOTS = frozenset("\u00b7\u30fb\uff65\u2022\u2027")
# jieba's flags of pieces that may be a transliteration's: names (of people, places,
# organisations, transliterations), and for a piece of one character also a noun, an
# adjective, a state or a locality word (斯塔 + 默, 马克 + 龙, 卡塔 + 里).
_NAME_FLAGS = frozenset(("nr", "nrt", "nrfg", "ns", "nz"))
_ONE_CHARACTER_FLAGS = frozenset(("n", "a", "b", "z", "ng", "j", "f"))
_MAX_PIECES = 4


def _is_piece(word: str, flag: str) -> bool:
    if not word.isalpha() or word.endswith(TITLES):
        return False
    return flag in _NAME_FLAGS or (len(word) == 1 and flag in _ONE_CHARACTER_FLAGS)


def _pieces(tags: list[tuple[str, str]], start: int, step: int) -> int:
    """How many pieces of a name run from word ``start`` in direction ``step``."""
    count = 0
    index = start
    while 0 <= index < len(tags) and count < _MAX_PIECES and _is_piece(*tags[index]):
        count += 1
        index += step
    return count


def dotted_names(tags: list[tuple[str, str]]) -> Iterator[tuple[int, int]]:
    """(first, end) word indices of each dotted name in ``tags`` (jieba's words and flags)."""
    index = 0
    while index < len(tags):
        if tags[index][0] not in _DOTS:
            index += 1
            continue
        before = _pieces(tags, index - 1, -1)
        first, end = index - before, index
        # One dot or more: 乔治·沃克·布什.
        while end < len(tags) and tags[end][0] in _DOTS:
            after = _pieces(tags, end + 1, 1)
            if not after:
                break
            end += 1 + after
        if before and end > index:
            yield first, end
            index = end
        else:
            index += 1
