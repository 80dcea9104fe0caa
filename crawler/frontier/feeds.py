"""What the crawler remembers about each feed and sitemap between crawls, in Redis.

Per URL: the validators of the last full answer (``ETag``, ``Last-Modified``) for
conditional GETs, and an adaptive re-poll interval: halved when the document changed,
doubled when it did not, within [the source's floor, :data:`MAX_INTERVAL_S`], so busy
feeds are read often and quiet ones rarely. The document's own rhythm (the median gap
between its items' times) bounds that from above: a feed is never left longer than it
usually goes between items, so a wire service's feed is read within minutes from the first
poll on, and a quiet spell does not double a busy feed's interval into hours. A feed whose
items give no rhythm starts at the floor and backs off from there. Entries expire after
:data:`TTL_S` without a poll, so a feed that left the registry leaves no state behind.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import statistics
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final

import redis

__all__ = [
    "MAX_INTERVAL_S",
    "MIN_INTERVAL_S",
    "FeedState",
    "FeedStore",
    "interval_from_items",
    "next_interval",
]

KEY_PREFIX: Final = "newsloom:crawl:feed"
# The floor when a source names none (``NEWSLOOM_FEED_POLL_FLOOR_S`` is the setting).
MIN_INTERVAL_S: Final = 300.0
MAX_INTERVAL_S: Final = 24 * 3600.0
# Schedules tick every crawl interval, and a poll's next time is set when its answer
# arrives, a little after the tick that sent it: with no slack an interval equal to the
# schedule's period would miss every other tick. Polling early costs one conditional GET.
DUE_SLACK: Final = 0.25
TTL_S: Final = 30 * 24 * 3600


@dataclass(frozen=True)
class FeedState:
    """Validators and polling rhythm of one feed or sitemap URL."""

    etag: str | None = None
    last_modified: str | None = None
    interval_s: float = MIN_INTERVAL_S
    next_poll_at: float = 0.0
    rhythm_s: float | None = None

    def due(self, now: float) -> bool:
        """Whether the feed should be read again at ``now`` (up to :data:`DUE_SLACK` early)."""
        return now >= self.next_poll_at - DUE_SLACK * self.interval_s


def _bounded(interval_s: float, floor_s: float) -> float:
    return min(MAX_INTERVAL_S, max(floor_s, interval_s))


def next_interval(interval_s: float, changed: bool, floor_s: float = MIN_INTERVAL_S) -> float:
    """Half the interval after a change, double after none, kept within the bounds."""
    return _bounded(interval_s / 2 if changed else interval_s * 2, floor_s)


def interval_from_items(times: Iterable[datetime]) -> float | None:
    """The median gap in seconds between a feed's item times; None with fewer than two."""
    ordered = sorted({time.timestamp() for time in times})
    gaps = [later - earlier for earlier, later in itertools.pairwise(ordered)]
    return statistics.median(gaps) if gaps else None


class FeedStore:
    """Feed states in Redis, one key per URL, shared by every crawler process."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @staticmethod
    def _key(url: str) -> str:
        return f"{KEY_PREFIX}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"

    def get(self, url: str) -> FeedState:
        """The stored state of ``url``, or a fresh one (due now, no validators)."""
        raw = self.client.get(self._key(url))
        return FeedState(**json.loads(raw)) if raw else FeedState()

    def known(self, url: str) -> bool:
        """Whether ``url`` was polled before (within :data:`TTL_S`)."""
        return bool(self.client.exists(self._key(url)))

    def polled(
        self,
        url: str,
        *,
        changed: bool,
        etag: str | None = None,
        last_modified: str | None = None,
        floor_s: float = MIN_INTERVAL_S,
        rhythm_s: float | None = None,
    ) -> FeedState:
        """Record a poll: new validators when the answer was a full one, the next due time.

        ``rhythm_s`` is the median gap between the document's item times when this answer
        carried items (see :func:`interval_from_items`); a 304 keeps the last one known.
        """
        raw = self.client.get(self._key(url))
        old = FeedState(**json.loads(raw)) if raw else FeedState()
        rhythm = rhythm_s if rhythm_s is not None else old.rhythm_s
        if raw is None:
            interval = _bounded(floor_s if rhythm is None else rhythm, floor_s)
        else:
            interval = next_interval(old.interval_s, changed, floor_s)
            if rhythm is not None:
                interval = min(interval, _bounded(rhythm, floor_s))
        state = FeedState(
            etag=etag if changed else old.etag,
            last_modified=last_modified if changed else old.last_modified,
            interval_s=interval,
            next_poll_at=time.time() + interval,
            rhythm_s=rhythm,
        )
        self.client.set(self._key(url), json.dumps(asdict(state)), ex=TTL_S)
        return state
