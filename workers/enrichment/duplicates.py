"""Near-duplicate and syndication detection across sources: MinHash LSH with state in Redis.

Every article's body becomes a MinHash of its word 5-gram shingles; the LSH index, in Redis so
every worker on every host shares it, finds earlier articles whose shingle sets overlap at
least ``THRESHOLD`` (Jaccard). A match joins the earlier article's ``duplicate_group``;
otherwise the article starts a group named after its own id.

The index keeps datasketch's Redis layout (``MinHashLSH`` with Redis storage can open and
query it), and datasketch still chooses the bands. Its client is not used to write, though:
it sends one command per band and round trip, and a query followed by an insert needs a
lock across workers so that two copies enriched at once cannot both start a group. Instead
the costly part (shingles and MinHash) runs in the worker, and one Lua script does the rest
in one round trip: look up the article, read its bands' buckets, pick the group, insert.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt
import redis
from datasketch import MinHash, MinHashLSH

from newsloom.schema import Article
from newsloom.state import KEY_PREFIX
from workers.enrichment.stage import record

__all__ = ["THRESHOLD", "VERSION", "NearDuplicates", "band_keys", "minhash"]

THRESHOLD = 0.5
NUM_PERM = 128
SHINGLE_WORDS = 5
VERSION = f"minhash-lsh-1-t{THRESHOLD}-p{NUM_PERM}-w{SHINGLE_WORDS}"
_WORD = re.compile(r"\w+")
_GROUPS = f"{KEY_PREFIX}:duplicates:groups"  # hash: article id -> group id
_BASENAME = f"{KEY_PREFIX}:lsh:{VERSION}".encode()
# Bands and rows per band for THRESHOLD and NUM_PERM, as datasketch optimises them.
_BANDS = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM).hashranges
_ASSIGN = (Path(__file__).with_name("duplicates.lua")).read_text(encoding="utf-8")


def minhash(text: str) -> MinHash:
    """MinHash of the word 5-grams of ``text`` (case-folded, punctuation ignored)."""
    words = _WORD.findall(text.casefold())
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - 4))}
    signature = MinHash(num_perm=NUM_PERM)
    signature.update_batch([shingle.encode("utf-8") for shingle in shingles])
    return signature


def band_keys(signature: MinHash) -> list[bytes]:
    """The signature's bucket in each band, as datasketch names it (byte-swapped slices)."""
    values: npt.NDArray[np.uint64] = signature.hashvalues
    return [bytes(values[start:end].byteswap().data) for start, end in _BANDS]


def _table(band: int) -> bytes:
    """The Redis hash naming band ``band``'s buckets (datasketch's ``_bucket_`` storage)."""
    return _BASENAME + b"_bucket_" + struct.pack(">H", band)


class NearDuplicates:
    """The shared LSH index, bound to one Redis server."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._assign = client.register_script(_ASSIGN)

    def assign(self, article: Article) -> Article:
        """Set ``enrichment.duplicate_group``; the article joins the shared index.

        Runs twice: the article is already indexed under its id, so it keeps its group.
        """
        buckets = band_keys(minhash(article.body))
        tables = [_table(band) for band in range(len(buckets))]
        keys_table = _BASENAME + b"_keys"
        # Why this is as correct as the lock it replaces: Redis runs a script to the end
        # before any other command, so lookup, query and insert are one step that no other
        # worker's can interleave with. Every order of workers is then a serial order, the
        # one the lock gave: the second of two copies always finds the first in a bucket.
        group = self._assign(
            keys=[
                _GROUPS,
                keys_table,
                keys_table + article.id.encode(),
                *tables,
                *(table + bucket for table, bucket in zip(tables, buckets, strict=True)),
            ],
            args=[article.id, len(buckets), *buckets],
        )
        return record(article, "duplicates", VERSION, duplicate_group=str(group))
