"""The story index's embeddings: the nearest recent articles of a language in two passes.

Reading every recent article's float16 vector for every new article (3.4 MB from Redis and a
5000x256 product at a full window) made story assignment slow down as the window filled. So
each article also keeps a 256-bit code, the signs of its unit vector. The first pass compares
codes by Hamming distance, whose expected value tracks the angle between the vectors, and
keeps the ``SHORTLIST`` closest; the second reads only those vectors and ranks them by exact
cosine. ``python -m bench.stories`` measures time and recall as the window fills.

A language's ids and codes sit packed in one Redis string, a fixed-width slot per article
(id, then code in hex): one GET of about 0.5 MB at a full window, nothing for Redis to
assemble and nothing per article for the client to parse. Slots freed by eviction are reused,
so the string stays as long as the window. Each write also takes a per-language sequence
number: a search made before the story index's transaction is completed inside it with just
the articles added since. Slots and numbers are taken by small Lua scripts queued in that
transaction, so they are never read by one client and written by another. Everything lives
in Redis, shared by every worker.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import redis

__all__ = ["ID_WIDTH", "SHORTLIST", "Nearest", "StoryWindow", "decode", "encode", "sign_code"]

SHORTLIST = 200  # codes kept by the first pass, then compared by exact cosine
ID_WIDTH = 32  # an article id (``Article.id``: 32 hex digits); shorter ones are padded
_CODE_BYTES = 32  # 256 dimensions, one bit each
_SLOT = ID_WIDTH + 2 * _CODE_BYTES
_EMPTY = "-" * ID_WIDTH + "0" * 2 * _CODE_BYTES  # a freed slot
# KEYS: free, size, sequence, packed, slots, order, vectors; ARGV: id, entry, vector, width.
_ADD = """
local slot = redis.call('LPOP', KEYS[1])
if not slot then slot = redis.call('INCR', KEYS[2]) - 1 end
local sequence = redis.call('INCR', KEYS[3])
redis.call('SETRANGE', KEYS[4], tonumber(slot) * tonumber(ARGV[4]), ARGV[2])
redis.call('HSET', KEYS[5], ARGV[1], slot)
redis.call('ZADD', KEYS[6], sequence, ARGV[1])
redis.call('HSET', KEYS[7], ARGV[1], ARGV[3])
"""
# KEYS: packed, free, slots, order, vectors; ARGV: empty slot, width, ids...
_FORGET = """
for i = 3, #ARGV do
  local slot = redis.call('HGET', KEYS[3], ARGV[i])
  if slot then
    redis.call('SETRANGE', KEYS[1], tonumber(slot) * tonumber(ARGV[2]), ARGV[1])
    redis.call('RPUSH', KEYS[2], slot)
  end
  redis.call('HDEL', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[5], ARGV[i])
  redis.call('ZREM', KEYS[4], ARGV[i])
end
"""

Vector = npt.NDArray[np.float32]


def encode(vector: Vector) -> str:
    """A vector as stored: base64 of float16, which halves what a comparison reads back
    (cosines move by under 1e-3)."""
    return base64.b64encode(vector.astype(np.float16).tobytes()).decode("ascii")


def decode(raw: str) -> Vector:
    """A stored vector back as float32."""
    return np.frombuffer(base64.b64decode(raw), dtype=np.float16).astype(np.float32)


def sign_code(vector: Vector) -> str:
    """The signs of the vector's components, packed into bytes, as hex."""
    return _signs(vector).tobytes().hex()


def _signs(vector: Vector) -> npt.NDArray[np.uint8]:
    return np.packbits(vector > 0)


@dataclass(frozen=True)
class Nearest:
    """Recent articles by embedding cosine, best first, and the sequence number they were
    found at (articles written later are not in them)."""

    sequence: int
    found: list[tuple[str, float]]


class StoryWindow:
    """Per-language packed codes and a shared hash of vectors, under one key prefix."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._vectors = f"{prefix}:vectors"  # hash: article id -> encoded float16 vector
        self._prefix = prefix
        self._add = client.register_script(_ADD)
        self._forget = client.register_script(_FORGET)

    def _key(self, kind: str, language: str | None) -> str:
        # packed: string of slots; slots: hash id -> slot; free: list of freed slots;
        # order: sorted set id -> sequence; sequence and size: counters.
        return f"{self._prefix}:{kind}:{language or 'und'}"

    def vector(self, article_id: str) -> Vector | None:
        """The stored vector of one article, if it has one."""
        raw = self._client.hget(self._vectors, article_id)
        return decode(str(raw)) if raw else None

    def nearest(self, language: str | None, vector: Vector, skip: str, limit: int) -> Nearest:
        """The ``limit`` articles nearest ``vector`` (``skip`` left out): the codes' shortlist,
        then exact cosines."""
        with self._client.pipeline(transaction=True) as pipe:
            # One transaction: whatever the slots lack was numbered at or after the sequence.
            pipe.get(self._key("sequence", language))
            pipe.get(self._key("packed", language))
            sequence, packed = pipe.execute()
        rows = np.frombuffer(str(packed or "").encode("ascii"), dtype=np.uint8).reshape(-1, _SLOT)
        # Freed slots start with "-"; never-written ones (only an index written before slots
        # were taken in a script could have them) are zero bytes, padded by a later write.
        slots = rows[(rows[:, 0] != ord("-")) & (rows[:, 0] != 0)]
        if not len(slots):
            return Nearest(int(sequence or 0), [])
        codes = np.frombuffer(bytes.fromhex(slots[:, ID_WIDTH:].tobytes().decode()), np.uint8)
        differing = np.bitwise_count(codes.reshape(-1, _CODE_BYTES) ^ _signs(vector))
        if len(slots) > SHORTLIST:
            distance = differing.sum(axis=1, dtype=np.int32)
            slots = slots[np.argpartition(distance, SHORTLIST - 1)[:SHORTLIST]]
        ids = [row.tobytes().decode().rstrip() for row in slots[:, :ID_WIDTH]]
        found = self.cosines([i for i in ids if i != skip], vector)
        return Nearest(int(sequence or 0), found[:limit])

    def added_since(
        self, language: str | None, sequence: int, vector: Vector, skip: str
    ) -> list[tuple[str, float]]:
        """Articles written at or after ``sequence``, by cosine to ``vector``, best first.

        At, too: the article numbered ``sequence`` may be scored twice, never missed.
        """
        newer = self._client.zrangebyscore(self._key("order", language), sequence, "+inf")
        return self.cosines([str(i) for i in newer if str(i) != skip], vector)

    def cosines(self, ids: list[str], vector: Vector) -> list[tuple[str, float]]:
        """Exact cosines of stored articles to ``vector``, best first (ties by id order)."""
        stored = self._client.hmget(self._vectors, ids) if ids else []
        known = [(i, decode(str(raw))) for i, raw in zip(ids, stored, strict=True) if raw]
        if not known:
            return []
        cosines = np.stack([v for _i, v in known]) @ vector
        best = np.argsort(-cosines, kind="stable")
        return [(known[int(n)][0], float(cosines[int(n)])) for n in best]

    def add(
        self, pipe: redis.client.Pipeline, language: str | None, article_id: str, vector: Vector
    ) -> None:
        """Queue one article's vector and code on ``pipe``; several may share one pipeline.

        The slot and sequence number are taken by a script when the pipeline runs, so a
        transaction's writes never depend on what the client read before it.
        """
        if len(article_id) > ID_WIDTH or not article_id.isascii() or article_id[:1] in "- ":
            raise ValueError(f"article id {article_id!r}: expected up to {ID_WIDTH} hex digits")
        entry = article_id.ljust(ID_WIDTH) + sign_code(vector)
        keys = [self._key(kind, language) for kind in ("free", "size", "sequence", "packed")]
        keys += [self._key("slots", language), self._key("order", language), self._vectors]
        self._add(keys=keys, args=[article_id, entry, encode(vector), _SLOT], client=pipe)

    def forget(self, pipe: redis.client.Pipeline, language: str | None, ids: list[str]) -> None:
        """Queue the removal of articles leaving the window on ``pipe``: their slots are
        blanked and freed by a script, read where they are written."""
        keys = [self._key(kind, language) for kind in ("packed", "free", "slots", "order")]
        self._forget(keys=[*keys, self._vectors], args=[_EMPTY, _SLOT, *ids], client=pipe)
