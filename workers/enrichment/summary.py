"""An extractive summary: the article's most representative sentences, in reading order."""

from __future__ import annotations

import math

from newsloom.schema import Article
from workers.enrichment.stage import record
from workers.enrichment.text import content_words, sentences

__all__ = ["VERSION", "summarise"]

VERSION = "summary-centroid-1"
_SENTENCES = 3
_MAX_CHARS = 600
_MIN_WORDS = 6
_SENTENCE_ENDINGS = (".", "!", "?", '"', "\u201d", "\u2019")


def summarise(article: Article) -> Article:
    """Set ``enrichment.summary``; runs after the keywords stage and scores by its terms.

    A sentence scores the keyword weight of its words over the square root of its length
    (long sentences are not favoured just for length), plus a bonus for coming early, since
    news puts the essentials first.
    """
    weights = {
        word: keyword.score
        for keyword in article.enrichment.keywords
        for word in content_words(keyword.term)
    }
    # Headlines, captions and teasers carry no closing punctuation: real sentences only.
    candidates = [
        s
        for s in sentences(article.body)
        if len(s.split()) >= _MIN_WORDS and s.endswith(_SENTENCE_ENDINGS)
    ]
    scored = []
    for position, sentence in enumerate(candidates):
        words = content_words(sentence)
        weight = sum(weights.get(word, 0.0) for word in words) / math.sqrt(len(words) or 1)
        scored.append((weight + 1.0 / (position + 2), position, sentence))
    chosen: list[tuple[int, str]] = []
    length = 0
    for _score, position, sentence in sorted(scored, reverse=True):
        if len(chosen) == _SENTENCES or (chosen and length + len(sentence) > _MAX_CHARS):
            break
        chosen.append((position, sentence))
        length += len(sentence)
    summary = " ".join(sentence for _position, sentence in sorted(chosen)) or None
    return record(article, "summary", VERSION, summary=summary)
