"""Story clustering: articles about one event, across outlets, share a ``story_id`` and label.

Two signals, averaged: the cosine of the articles' embeddings (what they are about, in any
wording) and the TF-IDF cosine of their entity-and-keyword profiles (who and what they name;
people, organisations and weapons count double, since they tell events apart better than the
countries every article names). The embedding picks the ``CANDIDATES`` nearest of the last
``WINDOW`` articles in the same language (``story_window``: compact codes first, then exact
cosines); only those are scored on profiles. An article joins the story of the best candidate
scoring at least ``THRESHOLD``; otherwise it starts a story labelled with its leading names.

The embedding model and the keyword stopwords are English: on other languages both put
unrelated articles close together (any two German pages score 0.9), so there only the
entities decide.

Across languages neither embeddings nor keywords compare, but entity names do: the watch list
gives a Japanese 尹錫悦 and an English Yoon Suk Yeol one canonical name. So an article is also
scored against the articles of every other language that share at least ``MIN_SHARED_NAMES``
of its entities (countries left out) and whose event time (published, else fetched) lies
within ``EVENT_DAYS`` of its own, on the entities alone; such a match joins at ``THRESHOLD``,
or at ``ACROSS_THRESHOLD`` with a third shared name. Those come from a per-language index
of names to articles by event time, kept in step with the window. Wherever names alone decide
(across languages, and within a language without embeddings) the same days are required: the
same party and candidate a year on are another event.

Everything lives in Redis, shared by every worker: vectors, profiles, document frequencies.
The same score, minus the article's own near-duplicates, ranks related articles.

Workers add articles without a lock, optimistically: each write is one MULTI/EXEC under
WATCH of an epoch counter that every write increments. A story depends on the whole index
(any write moves the document frequencies), so a write whose reads were overtaken by another
fails and is scored again. Every committed write was scored on the index exactly as it
stood, as if the writes had run one after another: two articles on a new event written at
once still share one story, the second rescored once the first is in.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import redis

from newsloom.errors import TransientError
from newsloom.schema import Article
from newsloom.state import KEY_PREFIX
from workers.enrichment.embeddings import LANGUAGES
from workers.enrichment.gazetteer import load_gazetteer
from workers.enrichment.stage import record
from workers.enrichment.story_window import Nearest, StoryWindow

__all__ = ["THRESHOLD", "VERSION", "Related", "Stories", "comparable", "profile"]

THRESHOLD = 0.5
WINDOW = 5000  # recent articles (per language) a new one is compared with
CANDIDATES = 20  # nearest by embedding, then scored on profiles too
MIN_SHARED_NAMES = 2
# Across languages the profile is the entities alone, which overlap less than entities and
# keywords do: a third shared name stands in for the missing wording. On 242 corpus pages no
# two unrelated pages in different languages share three names at this score, dates aside.
ACROSS_THRESHOLD = 0.35
EVENT_DAYS = 3  # where names alone decide: an event's coverage, days either side
VERSION = (
    f"stories-embedding+tfidf-5-t{THRESHOLD}-n{MIN_SHARED_NAMES}-x{ACROSS_THRESHOLD}-{EVENT_DAYS}d"
)
_ENTITY_WEIGHT = {"person": 2.0, "organization": 2.0, "weapon": 2.0, "place": 1.0}
_LABEL_PRIORITY = {"person": 0, "weapon": 1, "organization": 2}
# v3: the window's sign codes and sequence numbers (v2 indexes have neither).
_PREFIX = f"{KEY_PREFIX}:stories:v3"
# hash: id -> {"terms", "story", "label", "group", "language", "at"}
_PROFILES = f"{_PREFIX}:profiles"
_VECTORS = f"{_PREFIX}:vectors"  # hash: article id -> base64 of float16 unit vector
_DF = f"{_PREFIX}:df"  # hash: term -> documents containing it
_LANGUAGES = f"{_PREFIX}:languages"  # set: languages with articles in the window
_EPOCH = f"{_PREFIX}:epoch"  # counter: incremented by every write to the index
# Writes overtaken in a row before giving up (a transient error: the task retries). Each
# retry is only the scoring, a few milliseconds, so this many means Redis is in trouble.
_MAX_ATTEMPTS = 50
# KEYS: the frequencies hash; ARGV: one term per article leaving the window that has it.
_DECREMENT = """
local left = {}
for _, term in ipairs(ARGV) do
  left[term] = redis.call('HINCRBY', KEYS[1], term, -1)
end
for term, count in pairs(left) do
  if count <= 0 then redis.call('HDEL', KEYS[1], term) end
end
"""

Profile = dict[str, float]
Vector = npt.NDArray[np.float32]


def _recent(language: str | None) -> str:
    """Sorted set of one language's articles by fetch time: stories never cross languages."""
    return f"{_PREFIX}:recent:{language or 'und'}"


def _named(language: str | None, term: str) -> str:
    """Sorted set of one language's articles naming ``term``, by event time."""
    return f"{_PREFIX}:named:{language or 'und'}:{term}"


def _event_time(article: Article) -> float:
    """When the event happened, as near as the article says: published, else fetched."""
    moment: datetime = article.published_at or article.fetched_at
    return moment.timestamp()


def _same_days(left: float | None, right: float | None) -> bool:
    """Whether two event times lie within ``EVENT_DAYS`` (unknown ones always do)."""
    return left is None or right is None or abs(left - right) <= EVENT_DAYS * 86400


@dataclass(frozen=True)
class Related:
    """A recent article similar to another, with the two signals behind the score."""

    article_id: str
    score: float
    embedding: float
    profile: float
    shared_names: int = 0  # entities in common other than countries
    across: bool = False  # in another language, scored on entities alone

    def same_event(self) -> bool:
        """Whether the score and the names shared make this the same event."""
        if self.shared_names < MIN_SHARED_NAMES:
            return False
        if self.score >= THRESHOLD:
            return True
        return (
            self.across and self.shared_names > MIN_SHARED_NAMES and self.score >= ACROSS_THRESHOLD
        )


def profile(article: Article) -> Profile:
    """Term frequencies of the article's entities, and of its keywords where those are
    meaningful (run after the entity and keyword stages)."""
    terms: Profile = {}
    for entity in article.enrichment.entities:
        terms[f"e:{entity.name}"] = entity.mentions * _ENTITY_WEIGHT[entity.type]
    if article.language in LANGUAGES:
        for keyword in article.enrichment.keywords:
            terms.setdefault(f"k:{keyword.term.casefold()}", keyword.score)
    return terms


def _cosine(left: Profile, right: Profile, idf: dict[str, float]) -> float:
    dot = sum(left[t] * right[t] * idf[t] ** 2 for t in left.keys() & right.keys())
    norm_left = math.sqrt(sum((v * idf[t]) ** 2 for t, v in left.items()))
    norm_right = math.sqrt(sum((v * idf[t]) ** 2 for t, v in right.items()))
    return dot / (norm_left * norm_right) if norm_left and norm_right else 0.0


def _names(terms: Profile) -> list[str]:
    """A profile's entity terms, countries left out: what tells one event from another."""
    return sorted(t for t in terms if t.startswith("e:") and not _is_country(t[2:]))


def _entities(terms: Profile) -> Profile:
    """A profile's entity terms only: the part that compares across languages."""
    return {t: v for t, v in terms.items() if t.startswith("e:")}


def _script(name: str) -> str:
    """The writing system of a name, by its first letter: Latin, Han, kana, Hangul, ..."""
    letter = next((char for char in name if char.isalpha()), "")
    words = unicodedata.name(letter, "").split()
    if not words:
        return ""
    return "KANA" if words[0] in {"HIRAGANA", "KATAKANA"} else words[0]


def comparable(left: Profile, right: Profile) -> tuple[Profile, Profile]:
    """The entity terms of two profiles in other languages that could be shared: those in
    a script both profiles write names in. A name only the Japanese side can write (its
    reporters', its own institutions', in kana or kanji) can never meet the English side's
    names, and would only dilute the cosine of the names that do (the watch list's and the
    place index's canonical English names)."""
    left, right = _entities(left), _entities(right)
    scripts = {_script(t[2:]) for t in left} & {_script(t[2:]) for t in right}
    return (
        {t: v for t, v in left.items() if _script(t[2:]) in scripts},
        {t: v for t, v in right.items() if _script(t[2:]) in scripts},
    )


def _shared_names(left: Profile, right: Profile) -> int:
    """How many entities two profiles share, countries left out."""
    return len(set(_names(left)) & right.keys())


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


def _vector(article: Article) -> Vector | None:
    embedding = article.enrichment.embedding
    if not embedding or article.language not in LANGUAGES:
        return None
    return np.asarray(embedding, dtype=np.float32)


class Stories:
    """The shared story index, bound to one Redis server."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._window = StoryWindow(client, _PREFIX)
        self._decrement = client.register_script(_DECREMENT)

    def _idf(self, terms: set[str], languages: Sequence[str | None]) -> dict[str, float]:
        """Inverse document frequencies among the windows of ``languages`` (one, within a
        language; all of them across languages, as the frequencies count every language)."""
        ordered = sorted(terms)
        with self._client.pipeline(transaction=False) as pipe:
            pipe.hmget(_DF, ordered or [""])
            for lang in languages:
                pipe.zcard(_recent(lang))
            counts, *sizes = pipe.execute()
        counts = counts[: len(ordered)]  # HMGET needs a field even when there are none
        total = sum(int(size) for size in sizes) + 1
        return {
            term: 1.0 + math.log((total + 1) / (int(count or 0) + 1))
            for term, count in zip(ordered, counts, strict=True)
        }

    def _candidates(
        self, language: str | None, vector: Vector | None, skip: str, nearest: Nearest | None
    ) -> list[tuple[str, float]]:
        """Recent articles worth scoring, with their embedding cosine (0 without vectors);
        ``nearest``, an earlier search, is completed with the articles added since."""
        if vector is None:
            # No meaningful embedding: the latest articles of the language, names decide.
            recent = self._client.zrevrange(_recent(language), 0, CANDIDATES * 10 - 1)
            return [(str(i), 0.0) for i in recent if str(i) != skip]
        if nearest is None:
            return self._window.nearest(language, vector, skip, CANDIDATES).found
        cosines = dict(nearest.found)
        cosines.update(self._window.added_since(language, nearest.sequence, vector, skip))
        return sorted(cosines.items(), key=lambda item: -item[1])[:CANDIDATES]

    def _across(self, terms: Profile, others: list[str], at: float | None, skip: str) -> list[str]:
        """Articles in the ``others`` languages naming at least ``MIN_SHARED_NAMES`` of the
        same entities within ``EVENT_DAYS`` of ``at``, most names shared first."""
        names = _names(terms)
        if at is None or len(names) < MIN_SHARED_NAMES:
            return []
        span = EVENT_DAYS * 86400
        with self._client.pipeline(transaction=False) as pipe:
            for other in others:
                for name in names:
                    pipe.zrangebyscore(_named(other, name), at - span, at + span)
            found = pipe.execute()
        shared = Counter(str(i) for ids in found for i in ids if str(i) != skip)
        ranked = sorted(
            (i for i, n in shared.items() if n >= MIN_SHARED_NAMES), key=lambda i: (-shared[i], i)
        )
        return ranked[:CANDIDATES]

    def _score(
        self,
        terms: Profile,
        vector: Vector | None,
        language: str | None,
        skip: str,
        nearest: Nearest | None = None,
        at: float | None = None,
    ) -> list[tuple[Related, dict[str, Any]]]:
        """Candidates scored on both signals (names alone without vectors, and on entities
        alone across languages), best first, each with its stored profile."""
        candidates = self._candidates(language, vector, skip, nearest)
        languages = {str(lang) for lang in self._client.smembers(_LANGUAGES)}
        own = language or "und"
        # No embedding cosine across languages: the models do not compare there.
        across = set(self._across(terms, sorted(languages - {own}), at, skip))
        candidates += [(i, 0.0) for i in sorted(across)]
        if not candidates:
            return []
        raw = self._client.hmget(_PROFILES, [i for i, _c in candidates])
        stored = {i: json.loads(str(p)) for (i, _c), p in zip(candidates, raw, strict=True) if p}
        every_term = set(terms).union(*(p["terms"] for p in stored.values()))
        idf = self._idf(every_term, [language])
        idf_across = self._idf(every_term, sorted(languages | {own})) if across else idf
        scored = []
        for other, embedding in candidates:
            if other not in stored:
                continue
            theirs = stored[other]["terms"]
            names_only = other in across or vector is None
            if names_only and not _same_days(at, stored[other].get("at")):
                continue
            if other in across:
                by_profile = _cosine(*comparable(terms, theirs), idf_across)
                score = by_profile
            else:
                by_profile = _cosine(terms, theirs, idf)
                score = (embedding + by_profile) / 2 if vector is not None else by_profile
            shared = _shared_names(terms, theirs)
            related = Related(
                other, round(score, 6), embedding, by_profile, shared, other in across
            )
            scored.append((related, stored[other]))
        return sorted(scored, key=lambda item: (-item[0].score, item[0].article_id))

    def related(self, article_id: str, limit: int = 10) -> list[Related]:
        """Recent articles most similar to a known one, best first, its near-duplicates left
        out (a syndicated copy says nothing new)."""
        raw_profile = self._client.hget(_PROFILES, article_id)
        if raw_profile is None:
            return []
        stored = json.loads(str(raw_profile))
        vector = self._window.vector(article_id)
        group = stored.get("group")
        scored = self._score(
            stored["terms"], vector, stored.get("language"), article_id, at=stored.get("at")
        )
        return [r for r, other in scored if not group or other.get("group") != group][:limit]

    def assign(self, article: Article) -> Article:
        """Set ``story_id`` and ``story_label``; the article joins the shared index.

        Runs twice: the stored profile is found under the article's id and its story kept.
        """
        raw = self._client.hget(_PROFILES, article.id)
        stored = self._add(article) if raw is None else json.loads(str(raw))
        return record(
            article, "stories", VERSION, story_id=stored["story"], story_label=stored["label"]
        )

    def _add(self, article: Article) -> dict[str, Any]:
        """Search the window once, then score and write until no other write overtakes."""
        vector = _vector(article)
        # The costly search runs once, outside any transaction; each attempt only completes
        # it with the few articles added since.
        nearest = (
            self._window.nearest(article.language, vector, article.id, CANDIDATES)
            if vector is not None
            else None
        )
        for _attempt in range(_MAX_ATTEMPTS):
            with self._client.pipeline(transaction=True) as pipe:
                # Reads below may use other connections: any write committed after this
                # WATCH bumps the epoch, so EXEC fails whatever they saw.
                pipe.watch(_EPOCH)  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                raw = pipe.hget(_PROFILES, article.id)
                if raw is not None:  # another delivery of the same article got there first
                    return dict(json.loads(str(raw)))
                stored = self._story(article, vector, nearest)
                try:
                    self._write(pipe, article, stored, vector)
                except redis.WatchError:
                    continue
                return stored
        raise TransientError(
            f"story index: {_MAX_ATTEMPTS} writes in a row overtaken by other workers"
        )

    def _story(
        self, article: Article, vector: Vector | None, nearest: Nearest | None
    ) -> dict[str, Any]:
        """What the article stores: its profile, and the story it joins or starts."""
        terms = profile(article)
        at = _event_time(article)
        scored = self._score(terms, vector, article.language, article.id, nearest, at)
        story, label = article.id, _label(article)
        # One event means similar text and the same actors: a shared country is not enough.
        # The best candidate, as within a language; failing it, the best in another language
        # (its lower bar can sit below a same-language article that shares too few names).
        joined = next((c for c in scored[:1] if c[0].same_event()), None) or next(
            (c for c in scored if c[0].across and c[0].same_event()), None
        )
        if joined is not None:
            story, label = joined[1]["story"], joined[1]["label"]
        return {
            "terms": terms,
            "story": story,
            "label": label,
            "group": article.enrichment.duplicate_group,
            "language": article.language,
            "at": at,
        }

    def _write(
        self,
        pipe: redis.client.Pipeline,
        article: Article,
        stored: dict[str, Any],
        vector: Vector | None,
    ) -> None:
        """Add the article and drop what leaves the window, in one transaction on ``pipe``
        (watching the epoch); raises ``WatchError`` if another write came first."""
        fetched = article.fetched_at.timestamp()
        leaving = self._beyond_window(article.language, article.id, fetched)
        others = [i for i in leaving if i != article.id]
        raw = self._client.hmget(_PROFILES, others) if others else []
        profiles = {i: json.loads(str(p))["terms"] for i, p in zip(others, raw, strict=True) if p}
        if article.id in leaving:  # older than the whole window: in and out at once
            profiles[article.id] = stored["terms"]
        pipe.multi()
        pipe.hset(_PROFILES, article.id, json.dumps(stored))
        pipe.sadd(_LANGUAGES, article.language or "und")
        for name in _names(stored["terms"]):
            pipe.zadd(_named(article.language, name), {article.id: stored["at"]})
        if vector is not None:
            self._window.add(pipe, article.language, article.id, vector)
        pipe.zadd(_recent(article.language), {article.id: fetched})
        for term in stored["terms"]:
            pipe.hincrby(_DF, term, 1)
        if leaving:
            self._queue_forget(pipe, article.language, leaving, profiles)
        pipe.incr(_EPOCH)
        pipe.execute()

    def _beyond_window(self, language: str | None, article_id: str, fetched: float) -> list[str]:
        """The articles that leave the window when ``article_id`` joins it: the oldest past
        ``WINDOW``, ordered as Redis orders the sorted set (score, then id)."""
        oldest: list[tuple[str, float]] = self._client.zrange(  # type: ignore[assignment]
            _recent(language), 0, -WINDOW, withscores=True
        )  # with scores: (member, score) pairs, which redis-py types as members only
        if not oldest:
            return []
        ranked = sorted([(float(s), str(i)) for i, s in oldest] + [(fetched, article_id)])
        return [i for _s, i in ranked[: len(oldest)]]

    def _queue_forget(
        self,
        pipe: redis.client.Pipeline,
        language: str | None,
        old: list[str],
        profiles: dict[str, Profile],
    ) -> None:
        """Queue the removal of ``old`` (with their stored ``profiles``) on ``pipe``, so
        Redis holds ``WINDOW`` articles per language and only the terms they use."""
        terms = [term for stored in profiles.values() for term in stored]
        if terms:
            self._decrement(keys=[_DF], args=terms, client=pipe)
        for article_id, stored in profiles.items():
            for name in _names(stored):
                pipe.zrem(_named(language, name), article_id)
        pipe.zrem(_recent(language), *old)
        pipe.hdel(_PROFILES, *old)
        self._window.forget(pipe, language, old)
