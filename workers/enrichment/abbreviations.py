"""Countries written as one character in Korean, Japanese and Chinese news.

The region's press names countries by one character of their name, above all in compounds
of several: 日米韓 (Japan, the US and South Korea), 米中, 中俄, 한미 (South Korea and the
US), 남북 (the two Koreas), and before a noun: 米大統領 ("the US president"), 美军 ("the US
military"), 北 미사일 (a North Korean missile, in a Korean headline's hanja). No dictionary
shipped here marks these (UniDic reads 米 as rice or as a suffix, jieba tags 美德, "virtue",
a place), and CLDR lists only full names, so the characters are listed here: each one the
standard abbreviation of one country in that language's press.

The characters are common words on their own (中 "middle", 한 "one", 日 "day"), so one is
read as a country only where the analyser's words say it is one:

- a run of two or more, different, that starts and ends on word boundaries (or in Chinese,
  starts a word whose rest is a noun: 中美关系, "Sino-US relations"); in Korean no
  verb or adjective suffix follows, so 일한 ("worked") is not Japan and Korea. A run that is
  a country's full name (북한, North Korea) is left to the name search, which callers run
  first;
- alone, only where the abbreviation cannot be the common word: a Japanese character whose
  country is its only reading as a noun prefix (米 before 大統領, not お米の) followed by a
  noun; a character with 方 or 军 (軍) as one word (美方, "the US side"; 米軍); a hanja
  in Korean text, which writes its common words in hangul.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import pairwise

from workers.enrichment.segment import chinese_tags, mecab_ko, segment, unidic

__all__ = ["KOREAN_HANJA_COUNTRIES", "country_abbreviations"]

# One country per character, as each language's press abbreviates it.
_RUNS: dict[str, dict[str, str]] = {
    "ja": {
        "日": "JP", "米": "US", "英": "GB", "仏": "FR", "独": "DE", "露": "RU", "中": "CN",
        "韓": "KR", "朝": "KP", "豪": "AU", "伊": "IT", "加": "CA", "印": "IN", "台": "TW",
    },
    "zh": {
        "中": "CN", "美": "US", "俄": "RU", "日": "JP", "韩": "KR", "朝": "KP", "英": "GB",
        "法": "FR", "德": "DE", "澳": "AU", "印": "IN", "台": "TW", "乌": "UA", "菲": "PH",
    },
    "ko": {"한": "KR", "남": "KR", "북": "KP", "미": "US", "중": "CN", "일": "JP", "러": "RU"},
}  # fmt: skip
# Japanese characters read as a country alone, before a noun: their other readings are
# words of their own in UniDic (英語, 独自, 仏教), so a lone one before a noun is the country.
_JA_ALONE = frozenset("米英仏独露韓豪")
# One of the characters and 方 ("side") or 军 ("military") as one word: 美方, 米軍.
_SUFFIXED = {"ja": frozenset("軍"), "zh": frozenset("方军")}
_SUFFIXED_LENGTH = 2
# Korean text writes hanja only for names and, in headlines, these abbreviations.
KOREAN_HANJA_COUNTRIES = {
    "北": "KP",
    "美": "US",
    "中": "CN",
    "日": "JP",
    "韓": "KR",
    "露": "RU",
    "英": "GB",
}
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Runs that are other words: 美德 "virtue"; the Americas south of the US in Korean (남미,
# 중미, 중남미) and 미남 "a handsome man". 북미 stays: in this press it is North Korea and the
# US far more often than North America.
_OTHER_WORDS = {
    "zh": frozenset(("美德",)),
    "ko": frozenset(("남미", "중미", "중남미", "남북미", "미남")),
}
# 日中 is "in the daytime" unless a noun follows (日中関係).
_OTHER_UNLESS_NOUN_FOLLOWS = {"ja": frozenset(("日中",))}


@cache
def _run_pattern(language: str) -> re.Pattern[str]:
    return re.compile("[" + "".join(_RUNS[language]) + "]{2,}")


def country_abbreviations(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """(start, end, ISO code) of each country ``text`` writes as one character, one span per
    character; none outside Korean, Japanese and Chinese."""
    if language not in _RUNS:
        return []
    words = segment(text, language) or ()
    starts = {word.start for word in words}
    ends = {word.end for word in words}
    nouns = {word.start for word in words if word.noun}
    if language == "ja":
        # UniDic's own words: the analyser joins a suffix to the noun before it (次期 + 米).
        tokens = list(_ja_tokens(text))
        starts |= {start for start, _, _ in tokens}
        ends |= {end for _, end, _ in tokens}
        nouns |= {start for start, _, noun in tokens if noun}
    found = {span[0]: span for span in _runs(text, language, starts, ends, nouns)}
    suffixes = _SUFFIXED.get(language, frozenset())
    alone = [
        (word.start, word.start + 1, _RUNS[language][word.surface[0]])
        for word in words
        if len(word.surface) == _SUFFIXED_LENGTH
        and word.surface[0] in _RUNS[language]
        and word.surface[1] in suffixes
    ]
    if language == "ja":
        alone += _ja_alone(text, tokens)
    elif language == "ko":
        alone += _ko_hanja(text)
    for span in alone:
        found.setdefault(span[0], span)
    return sorted(found.values())


def _runs(
    text: str,
    language: str,
    starts: set[int],
    ends: set[int],
    nouns: set[int],
) -> Iterator[tuple[int, int, str]]:
    codes = _RUNS[language]
    for match in _run_pattern(language).finditer(text):
        run, start, end = match.group(), match.start(), match.end()
        if start not in starts or len(set(run)) < len(run):
            continue
        if end not in ends and not (language == "zh" and _zh_noun_follows(text, end, ends)):
            continue
        if run in _OTHER_WORDS.get(language, ()):
            continue
        if run in _OTHER_UNLESS_NOUN_FOLLOWS.get(language, ()) and end not in nouns:
            continue
        if language == "ko" and not _korean_noun(text, start, end):
            continue
        yield from ((start + i, start + i + 1, codes[char]) for i, char in enumerate(run))


def _zh_noun_follows(text: str, end: int, ends: set[int]) -> bool:
    """Whether the rest of the word a Chinese run begins is a noun of two characters or more
    (中美 + 关系, but not 中美 + 洲, Central America, nor 美中 + 不足, an idiom)."""
    stop = min((e for e in ends if e > end), default=end)
    rest = chinese_tags(text[end:stop])
    return stop - end >= _SUFFIXED_LENGTH and len(rest) == 1 and rest[0][1].startswith(("n", "vn"))


def _korean_noun(text: str, start: int, end: int) -> bool:
    """Whether no verb or adjective suffix (mecab-ko's XSV, XSA) or verb ending (E...) is
    part of ``text[start:end]`` or follows it (일한: 일 + 하 + ㄴ, "worked")."""
    for morpheme in mecab_ko().parse(text[start : end + 2]):
        if morpheme.span.start > end - start:
            break
        tags = morpheme.pos.split("+")
        if any(tag.startswith(("XSV", "XSA", "E", "V")) for tag in tags):
            return False
    return True


def _ja_tokens(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, noun) of UniDic's words of ``text``."""
    cursor = 0
    for word in unidic()(text):
        start = text.find(word.surface, cursor) if word.surface.strip() else -1
        if start < 0:
            continue
        cursor = start + len(word.surface)
        yield start, cursor, word.feature.pos1 == "名詞" or word.feature.pos2 == "名詞的"


def _ja_alone(text: str, tokens: list[tuple[int, int, bool]]) -> Iterator[tuple[int, int, str]]:
    for (start, end, _), (after, _, noun) in pairwise(tokens):
        if end - start == 1 and text[start] in _JA_ALONE and after == end and noun:
            yield start, end, _RUNS["ja"][text[start]]


def _ko_hanja(text: str) -> Iterator[tuple[int, int, str]]:
    for index, char in enumerate(text):
        code = KOREAN_HANJA_COUNTRIES.get(char)
        if code is None:
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if not _HAN.match(before) and not _HAN.match(after):
            yield index, index + 1, code
