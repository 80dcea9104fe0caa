"""Topic labels from a small regional-security taxonomy, each with a score in [0, 1].

Cue-term counting rather than a trained classifier: no labelled regional corpus or offline
model exists for this taxonomy, and cues keep every label explainable to an analyst. The
score grows with cue hits per 100 words and saturates towards 1.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from newsloom.schema import Article, Topic
from workers.enrichment.segment import segment
from workers.enrichment.stage import record

__all__ = ["VERSION", "classify_topics", "score_topics"]

# Hits per 100 words that give a score of about 0.63; below _MIN_SCORE a label is dropped.
_SCALE = 1.5
_MIN_SCORE = 0.3


# Scripts written without spaces between words, where a cue cannot wait for a word start.
_UNSPACED_LANGUAGES = frozenset({"ja", "zh"})
_UNSPACED = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Taxonomy:
    """The cues by their words, so a text is matched in one pass with set look-ups (one
    regular expression of 500 cues per label made topics the slowest stage).

    ``spaced`` maps a cue's words to its labels: every word but the last must match whole, the
    last one starts a word ("sanction" counts "sanctions"). ``unspaced`` maps Hangul, kana and
    CJK cues, which match anywhere, to theirs.
    """

    version: str
    spaced: dict[tuple[str, ...], tuple[str, ...]]
    unspaced: dict[str, tuple[str, ...]]

    def hits(self, text: str) -> Counter[str]:
        """Cue hits per label in ``text``, longest cue first, no two sharing a character."""
        counts: Counter[str] = Counter()
        words = [match.group().casefold() for match in _WORD.finditer(text)]
        longest = max(map(len, self.spaced), default=0)
        index = 0
        while index < len(words):
            found = self._spaced_at(words, index, longest)
            if found is None:
                index += 1
                continue
            cue, labels = found
            counts.update(labels)
            index += len(cue)
        longest_unspaced = max(map(len, self.unspaced), default=0)
        position = 0
        while position < len(text):
            if not _UNSPACED.match(text, position):
                position += 1
                continue
            for size in range(min(longest_unspaced, len(text) - position), 0, -1):
                owners = self.unspaced.get(text[position : position + size])
                if owners:
                    counts.update(owners)
                    position += size
                    break
            else:
                position += 1
        return counts

    def _spaced_at(
        self, words: list[str], index: int, longest: int
    ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        for size in range(min(longest, len(words) - index), 0, -1):
            whole, last = tuple(words[index : index + size - 1]), words[index + size - 1]
            for end in range(len(last), 0, -1):
                labels = self.spaced.get((*whole, last[:end]))
                if labels:
                    return (*whole, last[:end]), labels
        return None


@cache
def _taxonomy() -> _Taxonomy:
    raw = resources.files("workers.enrichment").joinpath("data/topics.yaml").read_bytes()
    cues: dict[str, list[str]] = yaml.safe_load(raw)
    spaced: dict[tuple[str, ...], tuple[str, ...]] = {}
    unspaced: dict[str, tuple[str, ...]] = {}
    for label, terms in cues.items():
        for cue in terms:
            if _UNSPACED.match(cue):
                unspaced[cue] = (*unspaced.get(cue, ()), label)
            else:
                key = tuple(word.casefold() for word in _WORD.findall(cue))
                spaced[key] = (*spaced.get(key, ()), label)
    dedupe = {key: tuple(dict.fromkeys(labels)) for key, labels in spaced.items()}
    distinct = {cue: tuple(dict.fromkeys(labels)) for cue, labels in unspaced.items()}
    return _Taxonomy(f"topics-cues-2+{hashlib.sha256(raw).hexdigest()[:10]}", dedupe, distinct)


VERSION = _taxonomy().version


def _word_count(text: str, language: str | None) -> int:
    """Words of ``text``: for Japanese and Chinese, which have no spaces to count, their
    analyser's words; else whitespace-separated ones (a Korean spaced unit is about a word)."""
    words = segment(text, language) if language in _UNSPACED_LANGUAGES else None
    if words is None:
        return len(text.split())
    return sum(1 for word in words if any(char.isalnum() for char in word.surface))


def score_topics(*texts: str, language: str | None = None) -> list[Topic]:
    """Labels that fit ``texts`` (parts of one article in ``language``, ISO 639-1), best first."""
    words = max(sum(_word_count(text, language) for text in texts), 1)
    hits: Counter[str] = Counter()
    for text in texts:
        hits.update(_taxonomy().hits(text))
    topics = []
    for label, count in hits.items():
        score = round(1 - math.exp(-100 * count / words / _SCALE), 3)
        if score >= _MIN_SCORE:
            topics.append(Topic(label=label, score=score))
    return sorted(topics, key=lambda topic: (-topic.score, topic.label))


def classify_topics(article: Article) -> Article:
    """Set ``enrichment.topics`` from the title and body."""
    topics = score_topics(article.title, article.body, language=article.language)
    return record(article, "topics", VERSION, topics=topics)
