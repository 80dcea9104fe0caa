"""Chinese names written after a title ("参赞罗满月说", "记者宋晨、田中全"), which jieba's
dictionary does not know and so cuts into other words (罗 + 满月 "a full moon").

Chinese news introduces a person by title and name with nothing between, so a title, a known
surname and one or two more characters up to a boundary are read as a name. jieba ships no list
of surnames and tags many of them as other words (张 a measure word, 田 a field), hence the
list below: the commonest surnames, in simplified and traditional forms, leaving out those that
are mostly function words (于 "at", 向 "towards", 和 "and").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺"
    "顾毛郝龚邵钱严覃武戴莫孔汤常温康施牛樊葛邢乔庞颜倪庄聂章鲁岳翟殷詹申欧耿焦俞左柳甘祝"
    "宁尚舒阮柯纪梅童凌毕裴霍涂苗谷盛翁冉骆蓝靳柴鲍"
    "張劉陳楊黃趙吳許韓馮鄧蘇葉魏呂盧鍾譚陸賈韋鄒龍賀顧龔錢嚴莊聶魯歐俞寧紀畢塗駱藍鮑閻羅"
)
# The end of a title word, as jieba cuts it ("外交部长" ends with 部长).
TITLES = (
    "记者", "記者", "參贊", "参赞", "研究员", "研究員", "院士", "工程师", "工程師", "教授",
    "发言人", "發言人", "总统", "總統", "总理", "總理", "主席", "部长", "部長", "外长", "外長",
    "大使",
    "书记", "書記", "局长", "局長", "主任", "经理", "經理", "董事长", "董事長", "总裁", "總裁",
    "代表", "专家", "專家", "领导人", "領導人", "首相", "国务卿", "國務卿", "司令员", "司令員",
    "议员", "議員", "委员", "委員", "负责人", "負責人", "秘书长", "秘書長", "市长", "市長",
    "省长", "校长", "校長", "院长", "院長", "会长", "會長", "官员", "官員", "縣長",
)  # fmt: skip
# What may end a name other than punctuation: a verb of saying, or 等 ("and others").
_AFTER_NAME = frozenset(("说", "說", "表示", "指出", "称", "稱", "认为", "認為", "强调", "強調",
                         "介绍", "介紹", "透露", "说道", "等"))  # fmt: skip
_LIST_MARK = "、"
_PERSON_FLAGS = frozenset(("nr", "nrfg"))
# jieba's flags of words that are never part of a name: particles (了), prepositions,
# conjunctions, pronouns, numerals, adverbs, verbs.
_FUNCTION_FLAGS = ("u", "p", "c", "r", "m", "d", "v", "y", "e", "o")
_MIN_NAME, _MAX_NAME = 2, 3


def titled_names(
    tags: list[tuple[str, str]], listed: Callable[[str], bool]
) -> Iterator[tuple[int, int]]:
    """(first, end) word indices of each name in ``tags`` (jieba's words of a text and their
    flags) that follows a title directly, or follows such a name after 、 (a list of
    names). A name is no word the dictionary lists (``listed``) but a person's: 白宫 and
    陈述 are words, not 白 and 陈 followed by a given name."""
    words = [word for word, _flag in tags]
    index = 0
    while index < len(words):
        if not words[index].endswith(TITLES):
            index += 1
            continue
        index += 1
        while (end := _name_end(tags, index, listed)) is not None:
            yield index, end
            index = end
            if index + 1 < len(words) and words[index] == _LIST_MARK:
                index += 1
            else:
                break


def _name_end(tags: list[tuple[str, str]], first: int, listed: Callable[[str], bool]) -> int | None:
    """Where a name starting at word ``first`` ends: a surname, then words up to two or three
    characters in all, none of them a particle or function word, then a boundary."""
    if first >= len(tags) or tags[first][0][:1] not in _SURNAMES:
        return None
    word, flag = tags[first]
    if len(word) > 1 and listed(word) and flag not in _PERSON_FLAGS:
        return None
    size, end = 0, first
    while end < len(tags) and _may_be_in_name(*tags[end]) and size + len(tags[end][0]) <= _MAX_NAME:
        size += len(tags[end][0])
        end += 1
        following = tags[end][0] if end < len(tags) else ""
        boundary = not following[:1].isalpha() or following in _AFTER_NAME
        if size >= _MIN_NAME and boundary and not _common_word(tags[first:end], listed):
            return end
    return None


def _common_word(words: list[tuple[str, str]], listed: Callable[[str], bool]) -> bool:
    """Whether ``words`` are one word the dictionary lists as something other than a full
    name. Its three-character person words are names (王晓东); its two-character ones are
    often common words it also tags so (陈述 "to state", 白宫 "the White House")."""
    text = "".join(word for word, _flag in words)
    if len(words) == 1 and words[0][1] in _PERSON_FLAGS and len(text) == _MAX_NAME:
        return False
    return listed(text)


def _may_be_in_name(word: str, flag: str) -> bool:
    return word.isalpha() and not flag.startswith(_FUNCTION_FLAGS)
