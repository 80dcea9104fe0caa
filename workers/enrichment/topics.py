"""Topic labels from a small regional-security taxonomy, each with a score in [0, 1].

Cue-term counting rather than a trained classifier: no labelled regional corpus or offline
model exists for this taxonomy, and cues keep every label explainable to an analyst. The
score grows with cue hits per 100 words and saturates towards 1.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import cache
from importlib import resources

import yaml

from newsloom.schema import Article, Topic
from workers.enrichment.stage import record

__all__ = ["VERSION", "classify_topics", "score_topics"]

# Hits per 100 words that give a score of about 0.63; below _MIN_SCORE a label is dropped.
_SCALE = 1.5
_MIN_SCORE = 0.3


@cache
def _taxonomy() -> tuple[str, dict[str, re.Pattern[str]]]:
    raw = resources.files("workers.enrichment").joinpath("data/topics.yaml").read_bytes()
    version = f"topics-cues-1+{hashlib.sha256(raw).hexdigest()[:10]}"
    cues: dict[str, list[str]] = yaml.safe_load(raw)
    patterns = {
        label: re.compile(
            r"\b(?:" + "|".join(re.escape(cue).replace(r"\ ", r"\s+") for cue in terms) + r")",
            re.IGNORECASE,
        )
        for label, terms in cues.items()
    }
    return version, patterns


VERSION = _taxonomy()[0]


def score_topics(text: str) -> list[Topic]:
    """Labels that fit ``text``, best first."""
    words = max(len(text.split()), 1)
    topics = []
    for label, pattern in _taxonomy()[1].items():
        density = 100 * len(pattern.findall(text)) / words
        score = round(1 - math.exp(-density / _SCALE), 3)
        if score >= _MIN_SCORE:
            topics.append(Topic(label=label, score=score))
    return sorted(topics, key=lambda topic: (-topic.score, topic.label))


def classify_topics(article: Article) -> Article:
    """Set ``enrichment.topics`` from the title and body."""
    return record(
        article, "topics", VERSION, topics=score_topics(f"{article.title}\n{article.body}")
    )
