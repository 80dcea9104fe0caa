"""Chinese organisation names jieba cuts into words: a place or a name, then nouns, then the
word for the kind of body (公司, 大学, 研究所, 科工办).

jieba's dictionary lists the best-known bodies as one word (中国国家航天局), but a
subsidiary, a provincial office or an institute comes out as a run of words, some of which
it tags as places (中国航天 + 科工 + 航天 + 三江 + 江北 + 公司: the company, not the towns
of Sanjiang and Jiangbei). Such a run starts with a proper noun, holds only nouns and names,
and ends in a word for a body; a place written right before a body jieba knows is that
place's body (湖北省 + 国防科工办, Hubei's defence industry office), unless the place is a
country, which the text then names too (美国 + 白宫, the White House).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

__all__ = ["suffixed_organisations"]

# Words that end a body's name, as jieba cuts them. Short ones that end common words too
# (局 of 僵局 "deadlock", 所 of 场所 "venue") count only at the end of a longer word.
_BODY_WORDS = (
    "公司", "集团", "银行", "大学", "学院", "研究所", "研究院", "科学院", "医院", "法院",
    "中心", "协会", "学会", "委员会", "基金会", "联合会", "商会", "议会", "军区", "舰队",
    "事务所", "研究中心", "實驗室", "实验室", "公會", "協會", "大學", "銀行", "集團",
)  # fmt: skip
_LONG_BODY_ENDINGS = ("局", "办", "辦", "院", "委")
_MIN_LONG_BODY_WORD = 3
_PROPER = frozenset(("ns", "nt", "nz"))
_INSIDE = frozenset(("n", "ns", "nt", "nz", "j", "b", "vn"))
_MIN_WORDS = 3
_MAX_WORDS = 8


def _is_body_word(word: str) -> bool:
    return word.endswith(_BODY_WORDS) or (
        len(word) >= _MIN_LONG_BODY_WORD and word.endswith(_LONG_BODY_ENDINGS)
    )


def suffixed_organisations(
    tags: list[tuple[str, str]], is_country: Callable[[str], bool]
) -> Iterator[tuple[int, int]]:
    """(first, end) word indices of each organisation name in ``tags`` (jieba's words and
    flags) that jieba did not list as one word; ``is_country`` tells a country's name."""
    index = 0
    while index < len(tags):
        word, flag = tags[index]
        if flag not in _PROPER:
            index += 1
            continue
        if (
            flag == "ns"
            and index + 1 < len(tags)
            and tags[index + 1][1] == "nt"
            and not is_country(word)
        ):
            yield index, index + 2  # 湖北省 + 国防科工办
            index += 2
            continue
        end = None
        for last in range(index + 1, min(len(tags), index + _MAX_WORDS)):
            following, following_flag = tags[last]
            if following_flag not in _INSIDE:
                break
            if _is_body_word(following) and last + 1 - index >= _MIN_WORDS:
                end = last + 1
        if end is not None:
            yield index, end
            index = end
        else:
            index += 1
