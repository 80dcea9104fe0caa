"""Trim page furniture from the start and the end of an extracted body by its shape.

Above the first paragraph, extractors keep the article header's small print: the byline, the
date and time, the reading time, a share link, a newsletter prompt. Bylines are recognised by
the author names the page declares elsewhere (two sources agreeing); dates and reading times by
their digits.

After the last paragraph of an article, extractors keep what the page puts under it: copyright
notices, "write to the reporter at ..." and "follow us @..." lines, newsletter and comment
prompts with the line of sales text under them, appeals for support, agency credits ("Reporting
by ...", "... contributed to this report", "With reports from ..."), editorial notes ("more to
follow", "First published in ..."), links to other stories under a label in capitals ("MORE:
..."), and short labels of boxes whose content was dropped ("Comments", "Tags", "You may also
like:"). None of these is article text, and they all have a shape: a copyright sign, an
address, a prompt, or a label with no sentence in it. Only the tail is trimmed, paragraph by
paragraph from the end, so the same words inside the article are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["trim_head", "trim_tail"]

# Notices and prompts are a sentence or two; a long paragraph is the article's own.
_MAX_NOTICE_WORDS = 45
_MAX_LABEL_WORDS = 5
_MIN_KEYWORDS = 4
_MAX_KEYWORD_WORDS = 4
_WORD = re.compile(r"\w+", re.UNICODE)
# Western and CJK sentence ends, closing quotes and brackets.
_SENTENCE_END = tuple(".!?…\"'”\u2019»)。\uff01\uff1f」』\uff09")
# Scripts written without spaces have few "words"; a label is short in characters too.
_MAX_LABEL_CHARS = 40
_LIST_ITEM = "- "
# Tags and menu entries under a story: two or more list items of a word or two each.
_MAX_WORD_ITEM_WORDS = 2
_MAX_WORD_ITEM_CHARS = 20
_MIN_WORD_ITEMS = 2
_ADDRESS = re.compile(r"\S+@\S+\.\w+|https?://|\bwww\.|(^|\s)@\w+")  # e-mail, web, social
_PROMPT = re.compile(
    r"©|\bcopyright\b|all rights reserved"
    r"|\bnewsletter|\bsubscri(be|ption)|\bsuscri|\babonn|\bsign up\b|\bfollow (us|him|her|them)\b"
    r"|\bshare (it|this)\b|contributed to this report"
    r"|^\W*(additional )?(reporting|editing) by\b"
    r"|^with (files|reporting|reports) (from|by)\b|\bcommenting\b|\blog ?(in|out)\b"
    # A named account to follow on a network ("Follow The Outlet on Google News"), an appeal
    # for support, a subscription in Turkish ("abone").
    r"|\bfollow (?-i:[A-Z])\S*( (?-i:[A-Z])\S*)* on\b"
    r"|\bsupport us\b|\b(support|invest in) (our |independent |quality )?journalism\b"
    r"|\bunterstützen sie uns\b|\babone"
    # Editorial notes about the text, not part of it: a developing story, a republication.
    r"|\bmore to follow\b|\bdeveloping story\b"
    r"|^(this (article|story) was )?(first|originally) published\b",
    re.IGNORECASE,
)


# Header small print is a line of a few words.
_MAX_HEADER_WORDS = 10
_MAX_HEAD_PARAGRAPHS = 4
# A clock time, a numeric date, or a reading time ("4 min", "3 Minuten", "2 minutos").
_TIME_OR_DATE = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d+\s*min(ute[ns]?|utos?|\b)",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
# A written date: a year and a day number ("Nov. 19, 2019", "13. Mai 2026").
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_DAY = re.compile(r"(?<![\d.,$€£])\b\d{1,2}\b(?![.,]\d)")


def _is_header_line(paragraph: str, names: list[str]) -> bool:
    """A byline naming a declared author, a date, time or reading-time line, or a bare link."""
    if _BARE_URL.match(paragraph) or _is_notice(paragraph, with_address=False):
        return True  # the page's share link, a copyright notice or a newsletter prompt
    if len(_WORD.findall(paragraph)) > _MAX_HEADER_WORDS or paragraph.rstrip().endswith("."):
        return False  # a sentence, however short, is the article's
    folded = paragraph.casefold()
    if any(name.casefold() in folded for name in names):
        return True
    return bool(_TIME_OR_DATE.search(paragraph)) or (
        bool(_YEAR.search(paragraph)) and bool(_DAY.search(paragraph))
    )


def trim_head(body: str, author_names: list[str]) -> str:
    """Drop bylines, dates, reading times, prompts and links above the first paragraph."""
    paragraphs = body.split("\n\n")
    names = [name for name in author_names if len(name) > 2]
    start = 0
    while start < min(_MAX_HEAD_PARAGRAPHS, len(paragraphs) - 1) and _is_header_line(
        paragraphs[start], names
    ):
        start += 1
    return "\n\n".join(paragraphs[start:])


def _is_label(paragraph: str) -> bool:
    """A few words that are no sentence: the heading of a box whose content is gone."""
    if paragraph.startswith(_LIST_ITEM):
        return False  # the last item of a list that belongs to the article
    stripped = paragraph.rstrip()
    if stripped.endswith(":"):
        return len(_WORD.findall(stripped)) <= _MAX_NOTICE_WORDS
    short = len(_WORD.findall(stripped)) <= _MAX_LABEL_WORDS and len(stripped) <= _MAX_LABEL_CHARS
    return short and not stripped.endswith(_SENTENCE_END)


def _is_notice(paragraph: str, *, with_address: bool = True) -> bool:
    """A copyright notice or a prompt; under the story also a contact or follow-us address."""
    if len(_WORD.findall(paragraph)) > _MAX_NOTICE_WORDS:
        return False
    return bool(_PROMPT.search(paragraph) or (with_address and _ADDRESS.search(paragraph)))


def _is_keyword_list(paragraph: str) -> bool:
    """Tags: several comma-separated items of a few words each, and no sentence."""
    items = [item for item in paragraph.rstrip().split(",") if item.strip()]
    return (
        len(items) >= _MIN_KEYWORDS
        and all(len(_WORD.findall(item)) <= _MAX_KEYWORD_WORDS for item in items)
        and not paragraph.rstrip().endswith(_SENTENCE_END)
    )


def _is_author_note(paragraph: str, names: list[str]) -> bool:
    """A short note about a declared author: the bio or contact line under the story."""
    if len(_WORD.findall(paragraph)) > _MAX_NOTICE_WORDS:
        return False
    folded = paragraph.casefold()
    return any(name.casefold() in folded for name in names)


def _is_box_pitch(paragraphs: list[str]) -> bool:
    """The last paragraph is the one-line pitch of a box whose heading is a prompt or notice.

    Newsletter, comment and copyright boxes under a story are a prompt ("Newsletter: ...",
    "Join our commenting forum", "Copyright ...") over a line of sales text that has no prompt
    words of its own; the prompt above it is what marks both as furniture. Only a prompt counts,
    not an address: an embedded post's attribution line carries a handle and is the article's.
    """
    if len(paragraphs) < 3 or len(_WORD.findall(paragraphs[-1])) > _MAX_NOTICE_WORDS:
        return False
    return _is_notice(paragraphs[-2], with_address=False)


# A link to another page under a label in capitals: "MORE: Putin ready to talk", "READ MORE:
# ...", "WATCH: ...". A label in other case ("Styling: KATE PHELAN", "Thunder: Host the
# Lakers on Friday.") is as often the article's own credit or box.
_CAPS_LABEL = re.compile(r"^[A-Z]{2,}(?: [A-Z]{2,}){0,2} ?: \S")
_MAX_LINK_WORDS = 25


def _is_link_line(paragraph: str) -> bool:
    """A labelled link to another page: a short label in capitals, then a headline."""
    return len(_WORD.findall(paragraph)) <= _MAX_LINK_WORDS and bool(_CAPS_LABEL.match(paragraph))


_TAIL_FURNITURE = (_is_label, _is_notice, _is_keyword_list, _is_link_line)


def _is_word_item(paragraph: str) -> bool:
    """A list item of a word or two: a tag, a menu entry, a share button. Not one with a
    figure in it: a poll's or a table's results are the article's data."""
    item = paragraph.removeprefix(_LIST_ITEM)
    return (
        paragraph.startswith(_LIST_ITEM)
        and len(_WORD.findall(item)) <= _MAX_WORD_ITEM_WORDS
        and len(item.strip()) <= _MAX_WORD_ITEM_CHARS
        and not any(char.isdigit() for char in item)
    )


def _word_items_at_end(paragraphs: list[str]) -> int:
    """How many list items of a word or two end the body, when there are two or more: tags
    and menus (an article's own closing list says more per item)."""
    count = 0
    while count < len(paragraphs) - 1 and _is_word_item(paragraphs[-1 - count]):
        count += 1
    return count if count >= _MIN_WORD_ITEMS else 0


def trim_tail(body: str, author_names: Sequence[str] = ()) -> str:
    """Drop notices, prompts, box pitches, author notes, orphan labels and runs of one-word
    list items under the story."""
    paragraphs = body.split("\n\n")
    names = [name for name in author_names if " " in name.strip()]  # full names only
    while len(paragraphs) > 1:
        if items := _word_items_at_end(paragraphs):
            del paragraphs[-items:]
        elif (
            any(is_furniture(paragraphs[-1]) for is_furniture in _TAIL_FURNITURE)
            or _is_author_note(paragraphs[-1], names)
            or _is_box_pitch(paragraphs)
        ):
            paragraphs.pop()
        else:
            break
    return "\n\n".join(paragraphs)
