"""Tokens and sentences, shared by the keyword, summary and topic stages."""

from __future__ import annotations

import re

__all__ = ["STOPWORDS", "content_words", "sentences"]

_WORD = re.compile(r"[^\W\d_][\w'\u2019\-]*")
# A sentence ends at . ! ? (maybe followed by a closing quote) before a capital or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019]?\s+(?=[\"\u201c\u2018A-Z])|\n+")
_STOPWORD_LIST = """a about above after again against all also am an and any are as at
    be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own said same says she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves this week year years month monday tuesday wednesday thursday
    friday saturday sunday earlier recent recently according told including however since
    two one three new time take takes made make many may might must us across amid among"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())


def content_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` that carry meaning (no stopwords, at least 3 letters)."""
    words = (match.group().strip("'\u2019-").casefold() for match in _WORD.finditer(text))
    return [word for word in words if len(word) >= 3 and word not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
