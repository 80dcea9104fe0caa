"""Names in Korean, Japanese, Chinese and Russian text, from the analysers' own dictionaries.

Each language's morphological analyser (see :mod:`workers.enrichment.segment`) ships a
dictionary that marks proper nouns and, for most, their class:

- Korean, mecab-ko-dic: ``NNP`` with a semantic column of 인명 (person) or 지명 (place).
- Japanese, UniDic: ``名詞-固有名詞-人名`` (person: 姓 and 名 in a row are one name),
  ``-地名`` (place) and ``-一般`` (other: mostly organisations). A word UniDic does not know,
  written in katakana (a foreign name) right before an honorific or a title, is a person.
- Chinese, jieba: ``nr`` person, ``ns`` place, ``nt`` organisation. Its dictionary also lists
  many common words as ``nr`` (贺信, "letter of congratulation"), so a person is a name jieba's
  hidden Markov model found (not in the dictionary), a full name it lists (``nrfg``), or a
  one-character surname and the given name after it.
- Russian, pymorphy3 (OpenCorpora): the grammemes Name, Surn, Patr (person), Geox (place)
  and Orgn (organisation) on capitalised words; a given name and surname in a row are one
  person, named by their dictionary forms ("Анваром Ибрагимом" is Анвар Ибрагим).

A span's type is ``None`` where the dictionary marks a proper noun without a class that says
which of ours it is: the entities stage types it from the place index or the watch list, or
drops it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from newsloom.schema import EntityType
from workers.enrichment.abbreviations import KOREAN_HANJA_COUNTRIES
from workers.enrichment.dotted_names import dotted_names
from workers.enrichment.places import name_key, native_country_names
from workers.enrichment.segment import (
    chinese_tags,
    mecab_ko,
    russian_parses,
    simplified,
    unidic,
)
from workers.enrichment.titled_names import titled_names
from workers.enrichment.truecase import sentence_initial
from workers.enrichment.watchlist import FOLDING
from workers.enrichment.zh_organisations import suffixed_organisations

__all__ = ["METHODS", "NameSpan", "name_spans"]

# What each language's spans come from, as recorded on the article.
METHODS = {
    "ko": "mecab-ko-dic-nnp",
    "ja": "unidic-propn",
    "zh": "jieba-pos",
    "ru": "pymorphy3-names",
}
_KO_CLASSES: dict[str, EntityType] = {"인명": "person", "지명": "place"}
# UniDic's other proper nouns (固有名詞-一般) are mostly organisations ("ハマス").
_JA_CLASSES: dict[str, EntityType] = {"人名": "person", "地名": "place", "一般": "organization"}
# How many words a title may take after a name ("スモトリッチ財務相": 財務 + 相).
_JA_TITLE_WORDS = 3
# Honorifics and titles written right after a Japanese name ("トランプ氏", "バイデン大統領").
_JA_TITLES = frozenset((
    "氏", "さん", "様", "君", "大統領", "首相", "首長", "国王", "議員", "長官", "大使", "外相",
    "相", "総裁", "代表", "委員長", "主席", "総統", "知事", "市長", "報道官", "司令官",
))  # fmt: skip
_JA_HONORIFICS = frozenset(("氏", "さん", "様", "君"))
# Suffixes of municipalities and prefectures: after a surname, the name is the place's.
_JA_MUNICIPAL = frozenset(("市", "町", "村", "区", "郡", "県"))
# Common nouns that, after a place's name, make the name of a body ("イスラエル軍") or a wider
# area of that place ("ガザ地区").
_JA_BODIES = frozenset(("軍", "省", "庁", "党", "政府", "大学", "銀行", "議会", "警察", "当局"))
# Common nouns a body's name may hold between its place and its word for a body (国防 + 省),
# where that word is one of a named body's, not of a description ("ガザ保健当局").
_JA_BODY_NOUNS = 2
_JA_NAMED_BODIES = _JA_BODIES - {"政府", "議会", "警察", "当局"}
_JA_AREAS = frozenset(("地区", "自治区", "州", "県", "市", "区", "省", "地方", "半島", "島"))
_KATAKANA = re.compile(r"[\u30a0-\u30ff]+")
# Katakana letters and the long-vowel mark, without the middle dot (・) that separates names.
_KANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]+")
_ZH_PERSON_FLAGS = frozenset(("nr", "nrfg"))
_ZH_PLACE_SUFFIXES = ("省", "市", "县", "区", "州", "国")
_ZH_MIN_SUFFIXED = 2
# "Region": 中东地区 is the Middle East, named without it.
_ZH_AREA = "地区"
_ZH_SPEECH_VERBS = frozenset(("说", "表示", "指出", "称", "认为", "强调", "介绍", "透露", "说道"))
_RU_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_RU_PERSON = frozenset(("Name", "Surn", "Patr"))
_RU_CLASSES: tuple[tuple[str, EntityType], ...] = (
    ("Geox", "place"),
    ("Orgn", "organization"),
)
# A person's class on one syllable alone is a surname used for the person ("이 후보",
# "candidate Lee"): whose, only the context says.
_KO_MIN_PERSON = 2
# Titles Korean writes after a surname alone, a space between ("윤 대통령", "이 후보"), and
# 전 ("former") between the two ("윤 전 대통령").
_KO_TITLES = frozenset((
    "대통령", "후보", "대표", "위원장", "장관", "총리", "부총리", "의원", "대변인", "원내대표",
    "지사", "시장", "총재", "주석", "당선인", "총장", "회장", "여사", "씨", "국무위원장",
))  # fmt: skip
_KO_FORMER = "전"
_KO_LIST_MARKS = frozenset((",", "·", "ㆍ", "‧"))
# Japanese and Chinese write a surname of one or two characters before a title (尹大統領),
# which UniDic often reads as a common noun.
_HAN_SURNAME = re.compile(r"[\u4e00-\u9fff]{1,2}")


@dataclass(frozen=True)
class NameSpan:
    """A proper noun's span, its type (``None``: a proper noun of no class of ours) and its
    name: the surface, or for Russian the dictionary forms of its words."""

    type: EntityType | None
    start: int
    end: int
    name: str
    surname: bool = False  # a surname alone with an honorific ("尹氏"): whose, the article says


def _korean(text: str) -> Iterator[NameSpan]:
    morphemes = list(mecab_ko().parse(text))
    yield from _korean_surnames(text, morphemes)
    yield from _korean_listed_places(text, morphemes)
    run: list[Any] = []
    for morpheme in [*morphemes, None]:
        proper = morpheme is not None and morpheme.feature.pos == "NNP"
        # 김 + 다니엘: one name the dictionary knows as two proper nouns written together.
        if (
            proper
            and run
            and run[-1].span.end == morpheme.span.start
            and morpheme.feature.semantic == run[-1].feature.semantic
        ):
            run.append(morpheme)
            continue
        if run:
            start, end = run[0].span.start, run[-1].span.end
            kind = _KO_CLASSES.get(run[0].feature.semantic or "")
            if kind != "person" or end - start >= _KO_MIN_PERSON:
                yield NameSpan(kind, start, end, text[start:end])
        run = [morpheme] if proper else []


def _korean_listed_places(text: str, morphemes: list[Any]) -> Iterator[NameSpan]:
    """Common nouns listed with a place ("여수, 순천, 목포"), or with such a noun: candidate
    places, which the entity stage keeps only where the place index knows the name. The
    dictionary lists many towns as common nouns only (순천 "obeying heaven", 진주 "pearl")."""
    places = {
        index
        for index, m in enumerate(morphemes)
        if m.feature.pos == "NNP" and m.feature.semantic == "지명"
    }
    nouns = {
        index
        for index, m in enumerate(morphemes)
        if m.feature.pos == "NNG" and len(m.surface) >= _KO_MIN_PERSON
    }
    marks = {index for index, m in enumerate(morphemes) if m.surface in _KO_LIST_MARKS}
    found: set[int] = set()
    while added := {
        index
        for index in nouns - found
        if any(index + step in marks and index + 2 * step in places | found for step in (-1, 1))
    }:
        found |= added
    for index in sorted(found):
        start, end = morphemes[index].span.start, morphemes[index].span.end
        yield NameSpan(None, start, end, text[start:end])


def _korean_surnames(text: str, morphemes: list[Any]) -> Iterator[NameSpan]:
    """One-syllable words before a title ("윤 대통령"), and hanja written alone as a headline
    writes a person ("李 여수, 순천 방문"; Korean writes its common words in Hangul):
    surnames, which the entity stage gives to the article's one person of that surname, or
    drops."""
    for index, morpheme in enumerate(morphemes[:-1]):
        start, end = morpheme.span.start, morpheme.span.end
        alone = (
            end - start == 1
            and text[end : end + 1] == " "
            and text[start - 1 : start] in {"", " ", "\n", "(", "'", '"'}
        )
        following = morphemes[index + 1].surface
        if following == _KO_FORMER and index + 2 < len(morphemes):
            following = morphemes[index + 2].surface
        # Papers also write the surname in hanja (尹 대통령), which the dictionary reads.
        char = text[start].translate(FOLDING)
        hanja = _HAN_SURNAME.fullmatch(char) is not None
        name = morpheme.feature.reading if hanja else text[start:end]
        syllable = isinstance(name, str) and len(name) == 1 and "\uac00" <= name <= "\ud7a3"
        if alone and syllable and following in _KO_TITLES:
            yield NameSpan("person", start, end, name, surname=True)
        elif alone and hanja and char not in KOREAN_HANJA_COUNTRIES:
            # The dictionary lacks some readings (李): the character itself names the person.
            yield NameSpan("person", start, end, name if syllable else char, surname=True)


def _ja_class(word: Any) -> tuple[bool, EntityType | None]:
    feature = word.feature
    if feature.pos1 == "名詞" and feature.pos2 == "固有名詞":
        return True, _JA_CLASSES.get(feature.pos3)
    return False, None


@dataclass(frozen=True)
class _JaFeature:
    pos1: str
    pos2: str
    pos3: str
    pos4: str = "*"


@dataclass(frozen=True)
class _JaForeignWord:
    """A run of katakana UniDic covered with pieces of other words (タミム as タ + ミム,
    アクシオス as an interjection and an auxiliary): a foreign word it does not know, so
    one word. It keeps the class of a proper noun among its pieces, if there is one."""

    surface: str
    white_space: str
    feature: _JaFeature
    is_unk: bool = True


def _ja_words(text: str) -> list[Any]:
    """UniDic's words of ``text``, with each katakana run it cut into pieces that are not
    all nouns joined again (see _JaForeignWord). A middle dot ends a run: ドナルド・トランプ
    is two names UniDic knows."""
    words: list[Any] = list(unidic()(text))
    joined: list[Any] = []
    index = 0
    while index < len(words):
        end = index + 1
        if _KANA_WORD.fullmatch(words[index].surface):
            while (
                end < len(words)
                and not words[end].white_space
                and _KANA_WORD.fullmatch(words[end].surface)
            ):
                end += 1
        run = words[index:end]
        if len(run) == 1 or all(word.feature.pos1 == "名詞" for word in run):
            joined.extend(run)
        else:
            proper = [word.feature.pos3 for word in run if word.feature.pos2 == "固有名詞"]
            kind = "固有名詞" if proper else "普通名詞"
            feature = _JaFeature("名詞", kind, proper[0] if proper else "一般")
            surface = "".join(word.surface for word in run)
            joined.append(_JaForeignWord(surface, run[0].white_space, feature))
        index = end
    return joined


def _japanese(text: str) -> Iterator[NameSpan]:
    words = _ja_words(text)
    offsets = _offsets(text, [word.surface for word in words])
    index = 0
    while index < len(words):
        proper, kind = _ja_class(words[index])
        end = index + 1
        unknown = bool(words[index].is_unk) and bool(_KATAKANA.fullmatch(words[index].surface))
        if proper and kind == "person":
            while end < len(words) and _ja_class(words[end]) == (True, "person"):
                end += 1
        following = words[end].surface if end < len(words) else ""
        surname = end == index + 1 and words[index].feature.pos4 == "姓"
        if proper and kind == "person" and surname and following in _JA_HONORIFICS:
            start = offsets[index]
            if start >= 0 and offsets[end] >= 0:
                stop = offsets[end] + len(following)
                yield NameSpan(kind, start, stop, words[index].surface, surname=True)
            index = end + 1
            continue
        if _ja_surname_before_title(words, index, end) and offsets[index] >= 0:
            # 尹 + 大統領: a surname UniDic reads as a common noun, or as a one-character
            # surname; whose, the article says.
            start, surface = offsets[index], words[index].surface
            yield NameSpan("person", start, start + len(surface), surface, surname=True)
            index = end
            continue
        if (unknown or kind == "organization") and _ja_titled(words[end : end + _JA_TITLE_WORDS]):
            proper, kind = True, "person"
        elif proper and kind == "place" and (body := _ja_body_end(words, end)):
            kind, end = "organization", body
        elif proper and kind == "person" and end == index + 1 and following in _JA_MUNICIPAL:
            # 小林 + 市: a town named like a family (Kobayashi), as municipalities often are.
            kind, end = "place", end + 1
        elif proper and kind == "place" and following in _JA_AREAS:
            # "ガザ地区" is named by the place it is the area of.
            start, stop = offsets[index], offsets[end - 1] + len(words[end - 1].surface)
            if start >= 0 and offsets[end] >= 0:
                yield NameSpan(kind, start, offsets[end] + len(following), text[start:stop])
            index = end + 1
            continue
        if proper and offsets[index] >= 0 and offsets[end - 1] >= 0:
            start, stop = offsets[index], offsets[end - 1] + len(words[end - 1].surface)
            name = text[start:stop]
            # A surname and a given name are one name with or without a space between them.
            yield NameSpan(kind, start, stop, "".join(name.split()) if kind == "person" else name)
        index = end


def _ja_body_end(words: list[Any], start: int) -> int:
    """Where a body named after the place before ``start`` ends (イスラエル + 軍, 韓国 + 国防
    + 省): a word for a body, right after it or after at most two common nouns; 0 if none
    follows."""
    index = start
    while index < len(words) and index - start <= _JA_BODY_NOUNS:
        word = words[index]
        if word.surface in (_JA_BODIES if index == start else _JA_NAMED_BODIES):
            return index + 1
        if word.feature.pos1 != "名詞" or word.feature.pos2 != "普通名詞":
            return 0
        index += 1
    return 0


def _ja_surname_before_title(words: list[Any], index: int, end: int) -> bool:
    """Whether word ``index`` (ending the name at ``end``) is a surname of one or two
    characters right before a title (尹大統領), not the last piece of a name UniDic cut into
    characters (尹 + 錫 + 悦大統領)."""
    word = words[index]
    proper, kind = _ja_class(word)
    if end != index + 1 or end >= len(words) or word.feature.pos1 != "名詞":
        return False
    # A title may be one word or two (委員 + 長).
    titles = {"".join(word.surface for word in words[end : end + size]) for size in (1, 2)}
    if not titles & _JA_TITLES or titles & _JA_HONORIFICS:
        return False
    if not _HAN_SURNAME.fullmatch(word.surface) or (proper and kind != "person"):
        return False
    if proper and len(word.surface) > 1:
        return False  # 石破首相: a surname UniDic knows names the person the watch list says
    before = words[index - 1] if index else None
    return before is None or not (
        before.feature.pos1 == "名詞" and _HAN_SURNAME.fullmatch(before.surface)
    )


def _ja_titled(following: list[Any]) -> bool:
    """Whether a title or honorific follows a name, alone or at the end of a compound
    ("氏", "首相", "財務相")."""
    for word in following:
        if word.surface in _JA_TITLES:
            return True
        if word.feature.pos1 not in {"名詞", "接尾辞"}:
            return False
    return False


def _offsets(text: str, surfaces: list[str]) -> list[int]:
    """Where each of the analyser's surfaces starts in ``text`` (-1 if it normalised one)."""
    cursor = 0
    found = []
    for surface in surfaces:
        start = text.find(surface, cursor) if surface.strip() else -1
        if start >= 0:
            cursor = start + len(surface)
        found.append(start)
    return found


def _chinese(text: str) -> Iterator[NameSpan]:
    tags = chinese_tags(text)
    words = [surface for surface, _flag in tags]
    offsets = _offsets(text, words)
    titled = dict(titled_names(tags, known_word))
    dotted = dict(dotted_names(tags))
    bodies = dict(suffixed_organisations(tags, _is_chinese_country))
    index = 0
    while index < len(tags):
        surface, flag = tags[index]
        end = index + 1
        kind: EntityType | None = None
        if index in dotted:
            end, kind = dotted[index], "person"  # 埃马纽埃尔·马克龙: one foreign name
        elif index in bodies:
            end, kind = bodies[index], "organization"  # 湖北省 + 国防科工办
        elif index in titled:
            end, kind = titled[index], "person"  # 参赞 + 罗满月: a name after a title
        elif flag in _ZH_PERSON_FLAGS and len(surface) == 1 and index + 1 < len(tags):
            # 李 + 金坤: a surname, then a given name jieba took for another word.
            given, given_flag = tags[index + 1]
            if given_flag.startswith("n") and len(given) <= 2 and given.isalpha():
                end, kind = index + 2, "person"
        elif flag == "nrfg" or (flag == "nr" and len(surface) > 1 and not known_word(surface)):
            kind = "person"
        elif flag == "nr" and len(surface) > 1 and _zh_speaks(tags, index, end):
            kind = "person"  # a listed name that says something is no common word: 泰勒斯表示
        elif flag == "ns":
            # "湖北省", but not "两国" ("the two countries"): a suffix after a name.
            named = len(surface) > _ZH_MIN_SUFFIXED and surface.endswith(_ZH_PLACE_SUFFIXES)
            kind = "place" if named else None
        elif flag == "nt":
            kind = "organization"
        if (kind is not None or flag == "ns") and offsets[index] >= 0 and offsets[end - 1] >= 0:
            start = offsets[index]
            stop = offsets[end - 1] + len(tags[end - 1][0])
            name = text[start:stop]
            if flag == "ns" and name.endswith(_ZH_AREA) and len(name) > len(_ZH_AREA) + 1:
                name = name[: -len(_ZH_AREA)]  # "加勒比地区", the Caribbean region: 加勒比
            yield NameSpan(kind, start, stop, name)
        index = end


def _is_chinese_country(word: str) -> bool:
    return name_key(word, "zh") in native_country_names("zh")


def _zh_speaks(tags: list[tuple[str, str]], start: int, end: int) -> bool:
    """Whether the words from ``start`` to ``end`` are a speaker: a verb of saying (说, 表示)
    follows, and no single character before them is the rest of the name (古 of 古特雷斯,
    which jieba cut off)."""
    if end >= len(tags) or tags[end][0] not in _ZH_SPEECH_VERBS:
        return False
    before = tags[start - 1][0] if start else ""
    return len(before) != 1 or not before.isalpha()


def known_word(word: str) -> bool:
    """Whether jieba's dictionary lists ``word`` (a name it found itself is not listed)."""
    import rjieba  # already loaded by the tags

    return bool(rjieba.has_word(simplified(word)))


def _ru_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _ru_kind(word: str, *, after_name: bool = False) -> EntityType | None:
    """The class of a capitalised Russian word: the first parse with a class of ours, a
    surname after a given name if one parse says so."""
    if not _ru_capitalised(word):
        return None
    parses = russian_parses(word)
    if after_name:
        for parse in parses:
            if "Surn" in parse.tag.grammemes:
                return "person"
    for parse in parses[:1]:
        grammemes = parse.tag.grammemes
        if grammemes & _RU_PERSON:
            return "person"
        for grammeme, kind in _RU_CLASSES:
            if grammeme in grammemes:
                return kind
    return None


def _ru_given_name(word: str) -> bool:
    """Whether a capitalised word can be a given name ("Роман" is also "a novel")."""
    return _ru_capitalised(word) and any("Name" in p.tag.grammemes for p in russian_parses(word))


def _ru_name(word: str, kind: EntityType) -> str:
    parses = russian_parses(word)
    wanted = _RU_PERSON if kind == "person" else {"Geox", "Orgn"}
    chosen = next((p for p in parses if p.tag.grammemes & wanted), parses[0])
    return "-".join(part[:1].upper() + part[1:] for part in str(chosen.normal_form).split("-"))


# What joins the items of a list of names: "Мединский, Фоменко и Галузин".
_RU_LIST_JOINS = frozenset((", ", " и "))


def _ru_listed_people(text: str, matches: list[Any], kinds: list[EntityType | None]) -> None:
    """Type as people, in place, the capitalised words the dictionary does not know as
    names that a list joins to a person ("господа Арахамия, Арестович"): a list holds one
    kind of thing. A word opening a sentence is capitalised for that alone."""
    changed = True
    while changed:
        changed = False
        for index, match in enumerate(matches):
            if kinds[index] is not None or not _ru_capitalised(match.group()):
                continue
            neighbours = [
                other
                for other, (left, right) in ((index - 1, (index - 1, index)),
                                             (index + 1, (index, index + 1)))
                if 0 <= other < len(matches)
                and text[matches[left].end() : matches[right].start()] in _RU_LIST_JOINS
            ]  # fmt: skip
            listed = any(kinds[other] == "person" for other in neighbours)
            if listed and not sentence_initial(text, match.start()):
                kinds[index] = "person"
                changed = True


def _russian(text: str) -> Iterator[NameSpan]:
    matches = list(_RU_WORD.finditer(text))
    kinds = [_ru_kind(match.group()) for match in matches]
    _ru_listed_people(text, matches, kinds)

    def adjacent(index: int) -> bool:  # word ``index`` follows the one before after a space
        return index > 0 and text[matches[index - 1].end() : matches[index].start()] == " "

    index = 0
    while index < len(matches):
        kind = kinds[index]
        if kind is None:
            index += 1
            continue
        first, end = index, index + 1
        if kind == "person":
            # "Роман Абрамович": a given name the dictionary reads first as a common noun.
            if (
                adjacent(first)
                and kinds[first - 1] is None
                and _ru_given_name(matches[first - 1].group())
            ):
                first -= 1
            while (
                end < len(matches)
                and adjacent(end)
                and _ru_kind(matches[end].group(), after_name=True) == "person"
            ):
                end += 1
        run = matches[first:end]
        name = " ".join(_ru_name(match.group(), kind) for match in run)
        yield NameSpan(kind, run[0].start(), run[-1].end(), name)
        index = end


_ANALYSERS: dict[str, Callable[[str], Iterator[NameSpan]]] = {
    "ko": _korean,
    "ja": _japanese,
    "zh": _chinese,
    "ru": _russian,
}


def name_spans(text: str, language: str) -> list[NameSpan]:
    """The proper nouns of ``text`` in ``language`` (one of :data:`METHODS`), in text order."""
    return list(_ANALYSERS[language](text))
