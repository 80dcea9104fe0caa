"""Story clustering: articles about one event, across outlets, share a ``story_id`` and label.

Each article becomes a TF-IDF profile of its entities (people, organisations and weapons
count double: they tell events apart better than country names) and keywords. Document
frequencies and recent profiles live in Redis, shared by every worker. An article joins the
story of its most similar recent article when the cosine similarity reaches ``THRESHOLD``;
otherwise it starts a story labelled with its leading names.
"""

from __future__ import annotations

import json
import math

import redis

from newsloom.schema import Article
from workers.enrichment.gazetteer import load_gazetteer
from workers.enrichment.stage import record
from workers.state import KEY_PREFIX

__all__ = ["THRESHOLD", "VERSION", "Stories", "profile"]

THRESHOLD = 0.3
WINDOW = 5000  # recent articles a new one is compared with
VERSION = f"stories-tfidf-1-t{THRESHOLD}"
_ENTITY_WEIGHT = {"person": 2.0, "organization": 2.0, "weapon": 2.0, "place": 1.0}
_LABEL_PRIORITY = {"person": 0, "weapon": 1, "organization": 2}
_PREFIX = f"{KEY_PREFIX}:stories"
_PROFILES = f"{_PREFIX}:profiles"  # hash: article id -> {"terms", "story", "label"}
_RECENT = f"{_PREFIX}:recent"  # sorted set: article id by fetch time
_DF = f"{_PREFIX}:df"  # hash: term -> documents containing it
_LOCK = f"{_PREFIX}:lock"

Profile = dict[str, float]


def profile(article: Article) -> Profile:
    """Term frequencies of the article's entities and keywords (run after those stages)."""
    terms: Profile = {}
    for entity in article.enrichment.entities:
        terms[f"e:{entity.name}"] = entity.mentions * _ENTITY_WEIGHT[entity.type]
    for keyword in article.enrichment.keywords:
        terms.setdefault(f"k:{keyword.term.casefold()}", keyword.score)
    return terms


def _cosine(left: Profile, right: Profile, idf: dict[str, float]) -> float:
    dot = sum(left[t] * right[t] * idf[t] ** 2 for t in left.keys() & right.keys())
    norm_left = math.sqrt(sum((v * idf[t]) ** 2 for t, v in left.items()))
    norm_right = math.sqrt(sum((v * idf[t]) ** 2 for t, v in right.items()))
    return dot / (norm_left * norm_right) if norm_left and norm_right else 0.0


def _is_country(name: str) -> bool:
    entry = load_gazetteer().by_name.get(name)
    return entry is not None and entry.is_country


def _label(article: Article) -> str:
    """Who or what the story is about, then where: "Choe Son-hui / Sun Weidong / Pyongyang"."""
    entities = article.enrichment.entities
    actors = sorted(
        (e for e in entities if e.type != "place"),
        key=lambda e: (_LABEL_PRIORITY[e.type], -e.mentions, e.name),
    )
    # Cities and seas say more about an event than the countries every article names.
    places = sorted(
        (e for e in entities if e.type == "place"),
        key=lambda e: (_is_country(e.name), -e.mentions, e.name),
    )
    names = [e.name for e in actors[:2]] + [e.name for e in places[:1]]
    return " / ".join(names) or article.title[:80]


class Stories:
    """The shared story index, bound to one Redis server."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def _idf(self, terms: set[str]) -> dict[str, float]:
        ordered = sorted(terms)
        counts = self._client.hmget(_DF, ordered) if ordered else []
        total = int(self._client.zcard(_RECENT)) + 1
        return {
            term: 1.0 + math.log((total + 1) / (int(count or 0) + 1))
            for term, count in zip(ordered, counts, strict=True)
        }

    def related(self, article_id: str, limit: int = 10) -> list[tuple[str, float]]:
        """Recent articles most similar to a known one, best first, with their similarity."""
        raw = self._client.hget(_PROFILES, article_id)
        if raw is None:
            return []
        return [
            (other, score)
            for other, score in self._similar(json.loads(str(raw))["terms"])
            if other != article_id
        ][:limit]

    def _similar(self, terms: Profile) -> list[tuple[str, float]]:
        ids = [str(i) for i in self._client.zrevrange(_RECENT, 0, WINDOW - 1)]
        stored = self._client.hmget(_PROFILES, ids) if ids else []
        profiles = {i: json.loads(str(p))["terms"] for i, p in zip(ids, stored, strict=True) if p}
        vocabulary = set(terms).union(*profiles.values()) if profiles else set(terms)
        idf = self._idf(vocabulary)
        scored = [(other, _cosine(terms, theirs, idf)) for other, theirs in profiles.items()]
        return sorted(scored, key=lambda item: (-item[1], item[0]))

    def assign(self, article: Article) -> Article:
        """Set ``story_id`` and ``story_label``; the article joins the shared index.

        Runs twice: the stored profile is found under the article's id and its story kept.
        """
        with self._client.lock(_LOCK, timeout=30, blocking_timeout=60):
            raw = self._client.hget(_PROFILES, article.id)
            stored = self._add(article) if raw is None else json.loads(str(raw))
        return record(
            article, "stories", VERSION, story_id=stored["story"], story_label=stored["label"]
        )

    def _add(self, article: Article) -> dict[str, object]:
        terms = profile(article)
        best = next(iter(self._similar(terms)), None)
        story, label = article.id, _label(article)
        if best is not None and best[1] >= THRESHOLD:
            match = json.loads(str(self._client.hget(_PROFILES, best[0])))
            story, label = match["story"], match["label"]
        stored: dict[str, object] = {"terms": terms, "story": story, "label": label}
        with self._client.pipeline(transaction=True) as pipe:
            pipe.hset(_PROFILES, article.id, json.dumps(stored))
            pipe.zadd(_RECENT, {article.id: article.fetched_at.timestamp()})
            for term in terms:
                pipe.hincrby(_DF, term, 1)
            pipe.execute()
        return stored
