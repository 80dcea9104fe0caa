"""Which version of each article was last sent on, so an unchanged re-visit is not re-sent.

One Redis key per article id holds the content hash sent last; it expires after
:data:`TTL_S`, which bounds how long an article is remembered (a seen-article store that
expires). Per source, a sorted set remembers when each article URL was first sent; those
first sent within :data:`REVISIT_WINDOW_S` are fresh, and incremental crawls fetch them
again to catch updates and corrections. Shared by every crawler process.
"""

from __future__ import annotations

import time
from typing import Any, Final

import redis

__all__ = ["REVISIT_WINDOW_S", "TTL_S", "SentArticles"]

KEY_PREFIX: Final = "newsloom:crawl:sent"
FRESH_PREFIX: Final = "newsloom:crawl:fresh"
TTL_S: Final = 30 * 24 * 3600
# News is corrected and updated mostly in its first two days.
REVISIT_WINDOW_S: Final = 48 * 3600


class SentArticles:
    """Content hashes of the articles sent to enrichment, by article id."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def last_hash(self, article_id: str) -> str | None:
        """The content hash sent last for this article, if it is still remembered."""
        value = self.client.get(f"{KEY_PREFIX}:{article_id}")
        return value.decode() if isinstance(value, bytes) else value

    def record(self, article_id: str, content_hash: str) -> None:
        """Remember the version just sent (and restart its expiry)."""
        self.client.set(f"{KEY_PREFIX}:{article_id}", content_hash, ex=TTL_S)

    def record_first_sent(self, source_id: str, url: str) -> None:
        """Remember when ``url`` was first sent (later sends keep the first time)."""
        key = f"{FRESH_PREFIX}:{source_id}"
        self.client.zadd(key, {url: time.time()}, nx=True)
        self.client.expire(key, REVISIT_WINDOW_S)

    def fresh_urls(self, source_id: str) -> list[str]:
        """Article URLs of the source first sent within the revisit window."""
        key = f"{FRESH_PREFIX}:{source_id}"
        self.client.zremrangebyscore(key, "-inf", time.time() - REVISIT_WINDOW_S)
        members: list[Any] = list(self.client.zrange(key, 0, -1))  # no scores asked: plain members
        return [url.decode() if isinstance(url, bytes) else str(url) for url in members]
