"""Durable per-URL crawl state of one crawl job, shared by every crawler process in Redis.

Every URL a job discovers gets one entry: ``discovered`` (waiting in the queue), ``leased``
(a crawler took it; the lease expires), ``done`` or ``failed``. Crawlers on any host that
name the same job split its URLs: adding a URL twice is a no-op, so no URL is fetched twice,
and a lease that expires (its crawler stalled) puts the URL back in the queue, so a restarted
crawler finishes the job.

Each crawler process keeps a liveness key of its own alive (:data:`ALIVE_TTL_S`, refreshed
well within it) and every lease names its holder, so the leases of a crawler that died
(``kill -9``, a lost host) go back to the queue as soon as its key expires, not when the
lease does. A URL leased :data:`MAX_ATTEMPTS` times without an outcome fails, so no URL
keeps a job alive forever.

Why Redis holds this state rather than only delivering it: our Redis runs with the
append-only file on (``appendonly yes``, see ``ops/dev/local/redis_server.py`` and the compose
file) and ``noeviction``, so an acknowledged write survives a Redis restart and is never
evicted. Every transition is one Lua script, so the queue, the lease set and the entries
never disagree, whichever process dies between two commands. Jobs expire
(:data:`JOB_TTL_S` after their last change): that makes the per-job seen-URL store expire too.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Final, Literal

import redis

__all__ = ["ALIVE_TTL_S", "JOB_TTL_S", "MAX_ATTEMPTS", "CrawlState", "Lease", "UrlState"]

KEY_PREFIX: Final = "newsloom:crawl"
JOB_TTL_S: Final = 7 * 24 * 3600
# A crawler's liveness key lives this long unless refreshed (every ALIVE_TTL_S / 3).
ALIVE_TTL_S: Final = 10.0
# Leases of one URL that ended without an outcome (crashes, stalls) before it is failed.
MAX_ATTEMPTS: Final = 5
UrlState = Literal["discovered", "leased", "done", "failed"]

# KEYS: entries, queue, leases. ARGV: url, entry JSON, force (1: queue again even if known), ttl.
_ADD = """
local known = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
if known and ARGV[3] ~= '1' then return 0 end
local entry = cjson.decode(ARGV[2])
if known then
  local old = cjson.decode(redis.call('HGET', KEYS[1], ARGV[1]))
  entry['attempts'] = old['attempts']
end
entry['state'] = 'discovered'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return 1
"""

# KEYS: entries, queue, leases, holders. ARGV: now, lease seconds, ttl, holder, max attempts.
# Returns {url, entry} or nil.
_LEASE = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
for _, url in ipairs(expired) do
  redis.call('ZREM', KEYS[3], url)
  redis.call('HDEL', KEYS[4], url)
  local entry = cjson.decode(redis.call('HGET', KEYS[1], url))
  entry['state'] = 'discovered'
  redis.call('HSET', KEYS[1], url, cjson.encode(entry))
  redis.call('LPUSH', KEYS[2], url)
end
while true do
  local url = redis.call('LPOP', KEYS[2])
  if not url then return nil end
  local entry = cjson.decode(redis.call('HGET', KEYS[1], url))
  if (entry['attempts'] or 0) >= tonumber(ARGV[5]) then
    entry['state'] = 'failed'
    entry['reason'] = 'attempts_exhausted'
    redis.call('HSET', KEYS[1], url, cjson.encode(entry))
  else
    entry['state'] = 'leased'
    entry['attempts'] = (entry['attempts'] or 0) + 1
    local encoded = cjson.encode(entry)
    redis.call('HSET', KEYS[1], url, encoded)
    redis.call('ZADD', KEYS[3], tonumber(ARGV[1]) + tonumber(ARGV[2]), url)
    redis.call('HSET', KEYS[4], url, ARGV[4])
    for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
    return {url, encoded}
  end
end
"""

# KEYS: entries, queue, leases, holders. ARGV: ttl, then the holders whose leases go back.
# Returns how many URLs were queued again.
_RELEASE_HOLDERS = """
local gone = {}
for i = 2, #ARGV do gone[ARGV[i]] = true end
local held = redis.call('HGETALL', KEYS[4])
local released = 0
for i = 1, #held, 2 do
  local url, holder = held[i], held[i + 1]
  if gone[holder] and redis.call('ZSCORE', KEYS[3], url) then
    redis.call('ZREM', KEYS[3], url)
    redis.call('HDEL', KEYS[4], url)
    local entry = cjson.decode(redis.call('HGET', KEYS[1], url))
    entry['state'] = 'discovered'
    redis.call('HSET', KEYS[1], url, cjson.encode(entry))
    redis.call('LPUSH', KEYS[2], url)
    released = released + 1
  elseif gone[holder] then
    redis.call('HDEL', KEYS[4], url)
  end
end
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
return released
"""

# KEYS: entries, leases, holders. ARGV: url, state, reason, ttl.
_FINISH = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local entry = cjson.decode(raw)
entry['state'] = ARGV[2]
if ARGV[3] ~= '' then entry['reason'] = ARGV[3] end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS: entries, queue, leases, holders. ARGV: url, ttl. A leased URL goes to the back of the
# queue; the lease given back is not an attempt that ended without an outcome.
_GIVE_BACK = """
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
local entry = cjson.decode(redis.call('HGET', KEYS[1], ARGV[1]))
entry['state'] = 'discovered'
entry['attempts'] = math.max(0, (entry['attempts'] or 1) - 1)
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
redis.call('RPUSH', KEYS[2], ARGV[1])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
return 1
"""

# KEYS: entries. ARGV: url, JSON object of fields to set on the entry.
_ANNOTATE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local entry = cjson.decode(raw)
for key, value in pairs(cjson.decode(ARGV[2])) do entry[key] = value end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
"""

# KEYS: leases. ARGV: url, until. Extends a lease only while it is still held.
_RENEW = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Lease:
    """A URL this crawler may fetch now, with what was recorded when it was discovered."""

    url: str
    request: dict[str, Any]
    attempts: int


class CrawlState:
    """The frontier and per-URL states of one crawl job."""

    def __init__(
        self, client: redis.Redis, job: str, lease_s: float, holder: str | None = None
    ) -> None:
        self.client = client
        self.job = job
        self.lease_s = lease_s
        # Who takes leases through this object: one id per crawler process.
        self.holder = holder or uuid.uuid4().hex
        base = f"{KEY_PREFIX}:{job}"
        self.entries_key = f"{base}:urls"
        self.queue_key = f"{base}:queue"
        self.leases_key = f"{base}:leases"
        self.holders_key = f"{base}:holders"
        self._alive_prefix = f"{base}:alive:"
        self._add = client.register_script(_ADD)
        self._lease = client.register_script(_LEASE)
        self._release_holders = client.register_script(_RELEASE_HOLDERS)
        self._finish = client.register_script(_FINISH)
        self._give_back = client.register_script(_GIVE_BACK)
        self._renew = client.register_script(_RENEW)
        self._annotate = client.register_script(_ANNOTATE)

    def add(self, url: str, request: dict[str, Any], *, force: bool = False) -> bool:
        """Record ``url`` as discovered and queue it; False if the job already knows it.

        ``force`` queues a known URL again (a retry asked for by the crawler itself).
        """
        entry = json.dumps({"request": request, "attempts": 0})
        keys = [self.entries_key, self.queue_key, self.leases_key]
        added = self._add(keys=keys, args=[url, entry, "1" if force else "0", JOB_TTL_S])
        return bool(added)

    def lease(self) -> Lease | None:
        """Take the next URL for ``lease_s`` seconds; expired leases are queued again first."""
        keys = [self.entries_key, self.queue_key, self.leases_key, self.holders_key]
        args: list[str | float] = [time.time(), self.lease_s, JOB_TTL_S, self.holder, MAX_ATTEMPTS]
        found = self._lease(keys=keys, args=args)
        if not found:
            return None
        url, raw = (part.decode() if isinstance(part, bytes) else part for part in found)
        entry = json.loads(raw)
        return Lease(url, entry["request"], int(entry["attempts"]))

    def renew(self, url: str) -> None:
        """Extend the lease of a URL that is about to be downloaded."""
        self._renew(keys=[self.leases_key], args=[url, time.time() + self.lease_s])

    def finish(self, url: str, state: UrlState, reason: str = "") -> None:
        """Record the outcome of a leased URL: ``done`` or ``failed`` (with the reason)."""
        keys = [self.entries_key, self.leases_key, self.holders_key]
        self._finish(keys=keys, args=[url, state, reason, JOB_TTL_S])

    def give_back(self, url: str) -> bool:
        """Queue a leased URL again, neither done nor failed; False if it was not leased."""
        keys = [self.entries_key, self.queue_key, self.leases_key, self.holders_key]
        return bool(self._give_back(keys=keys, args=[url, JOB_TTL_S]))

    def heartbeat(self) -> None:
        """Say this crawler is alive for another :data:`ALIVE_TTL_S` seconds."""
        self.client.set(self._alive_prefix + self.holder, time.time(), px=int(ALIVE_TTL_S * 1000))

    def release_dead(self) -> int:
        """Queue again the URLs leased by crawlers whose liveness key expired; how many."""
        holders = {_text(holder) for holder in self.client.hvals(self.holders_key)}
        holders.discard(self.holder)
        if not holders:
            return 0
        ordered = sorted(holders)
        pipe = self.client.pipeline()
        for holder in ordered:
            pipe.exists(self._alive_prefix + holder)
        dead = [holder for holder, alive in zip(ordered, pipe.execute(), strict=True) if not alive]
        return self._release(dead) if dead else 0

    def release_own(self) -> int:
        """Queue again every URL this crawler still holds (it stops before finishing them)."""
        released = self._release([self.holder])
        self.client.delete(self._alive_prefix + self.holder)
        return released

    def _release(self, holders: list[str]) -> int:
        keys = [self.entries_key, self.queue_key, self.leases_key, self.holders_key]
        return int(self._release_holders(keys=keys, args=[JOB_TTL_S, *holders]))

    def mark_done(self, url: str, reason: str) -> bool:
        """Record a URL as done without fetching it (the canonical URL of a fetched page).

        False if the job already knew it; a URL known as done is never queued again.
        """
        entry = json.dumps({"state": "done", "reason": reason, "attempts": 0, "request": {}})
        added = bool(self.client.hsetnx(self.entries_key, url, entry))
        self.client.expire(self.entries_key, JOB_TTL_S)
        return added

    def annotate(self, url: str, **fields: str) -> None:
        """Record facts about a known URL (the article id and content hash it yielded)."""
        self._annotate(keys=[self.entries_key], args=[url, json.dumps(fields)])

    def pending(self) -> int:
        """URLs queued or leased: the job is complete when this is 0."""
        pipe = self.client.pipeline()
        pipe.llen(self.queue_key)
        pipe.zcard(self.leases_key)
        queued, leased = pipe.execute()
        return int(queued) + int(leased)

    def entries(self) -> dict[str, dict[str, Any]]:
        """Every URL of the job with its state, attempts and (for failures) reason."""
        raw = self.client.hgetall(self.entries_key)
        return {_text(url): json.loads(value) for url, value in raw.items()}

    def counts(self) -> dict[str, int]:
        """How many URLs are in each state."""
        counts: dict[str, int] = {}
        for entry in self.entries().values():
            counts[entry["state"]] = counts.get(entry["state"], 0) + 1
        return counts


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
