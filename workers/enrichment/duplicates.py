"""Near-duplicate and syndication detection across sources: MinHash LSH with state in Redis.

Every article's body becomes a MinHash of its word 5-gram shingles; the LSH index (datasketch,
Redis storage, so every worker on every host shares it) finds earlier articles whose shingle
sets overlap at least ``THRESHOLD`` (Jaccard). A match joins the earlier article's
``duplicate_group``; otherwise the article starts a group named after its own id.
"""

from __future__ import annotations

import re

import redis
from datasketch import MinHash, MinHashLSH

from newsloom.schema import Article
from newsloom.state import KEY_PREFIX
from workers.enrichment.stage import record

__all__ = ["THRESHOLD", "VERSION", "NearDuplicates", "minhash"]

THRESHOLD = 0.5
NUM_PERM = 128
SHINGLE_WORDS = 5
VERSION = f"minhash-lsh-1-t{THRESHOLD}-p{NUM_PERM}-w{SHINGLE_WORDS}"
_WORD = re.compile(r"\w+")
_GROUPS = f"{KEY_PREFIX}:duplicates:groups"  # hash: article id -> group id
_LOCK = f"{KEY_PREFIX}:duplicates:lock"


def minhash(text: str) -> MinHash:
    """MinHash of the word 5-grams of ``text`` (case-folded, punctuation ignored)."""
    words = _WORD.findall(text.casefold())
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - 4))}
    signature = MinHash(num_perm=NUM_PERM)
    signature.update_batch([shingle.encode("utf-8") for shingle in shingles])
    return signature


class NearDuplicates:
    """The shared LSH index, bound to one Redis server."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        kwargs = client.connection_pool.connection_kwargs
        self._lsh = MinHashLSH(
            threshold=THRESHOLD,
            num_perm=NUM_PERM,
            storage_config={
                "type": "redis",
                "basename": f"{KEY_PREFIX}:lsh:{VERSION}".encode(),
                "redis": {
                    key: kwargs[key]
                    for key in ("host", "port", "db", "username", "password")
                    if key in kwargs
                },
            },
            # Keys are article ids as bytes: nothing read back from Redis is unpickled.
            prepickle=False,
        )

    def assign(self, article: Article) -> Article:
        """Set ``enrichment.duplicate_group``; the article joins the shared index.

        Runs twice: the article is already indexed under its id, so it keeps its group.
        """
        key = article.id.encode()
        # One lock across workers: two copies enriched at once must not both start a group.
        with self._client.lock(_LOCK, timeout=30, blocking_timeout=60):
            group = self._client.hget(_GROUPS, article.id)
            if group is None:
                signature = minhash(article.body)
                matches = sorted(match for match in self._lsh.query(signature) if match != key)
                # One round trip however many copies a wire story has.
                known = (
                    self._client.hmget(_GROUPS, [m.decode() for m in matches]) if matches else []
                )
                group = next((g for g in known if g is not None), article.id)
                self._lsh.insert(key, signature, check_duplication=False)
                self._client.hset(_GROUPS, article.id, str(group))
        return record(article, "duplicates", VERSION, duplicate_group=str(group))
