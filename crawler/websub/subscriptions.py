"""Every WebSub subscription in Redis, shared by all receiver and crawler processes.

One hash per topic, keyed by a digest of the topic URL; that digest is also the path of the
topic's callback, so a delivery names its subscription without trusting anything else the
hub sends. Each subscription has its own random secret: a hub signs deliveries with it, and
a delivery without the right signature is ignored (WebSub §8).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Final, Literal

import redis

from newsloom.state import KEY_PREFIX

__all__ = ["Subscription", "SubscriptionStore", "subscription_id"]

_PREFIX: Final = f"{KEY_PREFIX}:websub"
State = Literal["advertised", "requested", "active", "denied"]


def subscription_id(topic: str) -> str:
    """The stable id of ``topic``'s subscription (also its callback path)."""
    return hashlib.sha256(topic.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Subscription:
    """One topic at one hub, for one source."""

    id: str
    source_id: str
    topic: str
    hub: str
    secret: str
    state: State
    requested_at: float = 0.0
    lease_until: float = 0.0

    def needs_request(self, now: float, lease_s: float, retry_s: float) -> bool:
        """Whether to ask the hub (again): never asked, lease near its end, or asked long ago.

        Renewed when a tenth of the lease is left; a request the hub never verified is
        repeated after ``retry_s``.
        """
        if self.state == "active":
            return now >= self.lease_until - lease_s / 10
        return now >= self.requested_at + retry_s


class SubscriptionStore:
    """Subscriptions in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        """Use ``client``, which must decode responses (:func:`newsloom.state.redis_client`)."""
        self.client = client

    @staticmethod
    def _key(subscription: str) -> str:
        return f"{_PREFIX}:sub:{subscription}"

    def advertise(self, source_id: str, topic: str, hub: str) -> Subscription:
        """Record that ``source_id``'s feed ``topic`` names ``hub``; keep what is known of it.

        A feed that moves to another hub is subscribed again there.
        """
        subscription = subscription_id(topic)
        key = self._key(subscription)
        current = self.get(subscription)
        if current is None or current.hub != hub or current.source_id != source_id:
            with self.client.pipeline() as pipe:
                pipe.hset(key, mapping={
                    "source_id": source_id, "topic": topic, "hub": hub, "state": "advertised",
                    "requested_at": 0, "lease_until": 0,
                })  # fmt: skip
                # Kept across re-advertisements: a hub may still sign with the old secret.
                pipe.hsetnx(key, "secret", secrets.token_hex(32))
                pipe.sadd(f"{_PREFIX}:all", subscription)
                pipe.execute()
        found = self.get(subscription)
        assert found is not None  # written just above
        return found

    def get(self, subscription: str) -> Subscription | None:
        """The subscription with id ``subscription``, or None."""
        raw: dict[str, str] = self.client.hgetall(self._key(subscription))  # type: ignore[assignment]
        if not raw.get("topic") or not raw.get("secret"):
            return None
        return Subscription(
            id=subscription,
            source_id=raw["source_id"],
            topic=raw["topic"],
            hub=raw["hub"],
            secret=raw["secret"],
            state=raw["state"],  # type: ignore[arg-type]  # only this class writes it
            requested_at=float(raw.get("requested_at", 0)),
            lease_until=float(raw.get("lease_until", 0)),
        )

    def all(self) -> list[Subscription]:
        """Every known subscription."""
        ids: set[str] = self.client.smembers(f"{_PREFIX}:all")  # type: ignore[assignment]
        return [found for i in sorted(ids) if (found := self.get(i)) is not None]

    def requested(self, subscription: str) -> None:
        """The hub was asked just now (it verifies asynchronously)."""
        self.client.hset(
            self._key(subscription), mapping={"state": "requested", "requested_at": time.time()}
        )

    def verified(self, subscription: str, lease_s: float) -> None:
        """The hub verified our intent: active for ``lease_s`` from now."""
        self.client.hset(
            self._key(subscription),
            mapping={"state": "active", "lease_until": time.time() + lease_s},
        )

    def denied(self, subscription: str) -> None:
        """The hub refused the subscription; it is asked again only after the retry time."""
        self.client.hset(self._key(subscription), "state", "denied")

    def claim_request(self, subscription: str, hold_s: float) -> bool:
        """True for one process only per ``hold_s``: several receivers never all ask the hub."""
        return bool(self.client.set(f"{_PREFIX}:asking:{subscription}", 1, nx=True, ex=int(hold_s)))
