"""Asking hubs to subscribe and to renew, over connections the SSRF rules allow.

A hub's URL is written by whoever wrote the feed, so it gets the crawler's SSRF treatment:
one resolution, every address checked (only global ones, or the source's own allow-listed
endpoints), and the connection made to the address that was checked, not to a second
lookup's answer. httpx's ``sni_hostname`` extension keeps TLS verifying the real host name.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import httpx

from crawler.middlewares.ssrf import Endpoint, address_reason, blocked_reason, endpoint_of
from crawler.websub.subscriptions import Subscription, SubscriptionStore
from newsloom.errors import InvalidInputError, TransientError

__all__ = ["HubRefusedError", "HubUnreachableError", "callback_url", "renew_due", "subscribe"]

logger = logging.getLogger(__name__)
# A hub that did not verify a request within this long is asked again.
RETRY_S = 600.0


class HubRefusedError(InvalidInputError):
    """The hub URL may not be reached (SSRF rules) or the hub refused the request."""


class HubUnreachableError(TransientError):
    """The hub did not answer; the next renewal round asks again."""


def callback_url(base: str, subscription: Subscription) -> str:
    """Where the hub calls back for ``subscription``: the receiver's base URL and its id."""
    return f"{base.rstrip('/')}/websub/{subscription.id}"


def _checked_address(url: str, allowed: frozenset[Endpoint]) -> str:
    """The one address the request to ``url`` may connect to; HubRefusedError if none."""
    reason = blocked_reason(url, allowed)
    endpoint = endpoint_of(url)
    if reason or endpoint is None:
        raise HubRefusedError(f"hub {url} is refused by the SSRF rules ({reason})")
    host, port = endpoint
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise HubUnreachableError(f"hub {url}: cannot resolve {host} ({error})") from error
    addresses = sorted({str(answer[4][0]) for answer in answers})
    if endpoint not in allowed:
        for address in addresses:
            why = address_reason(ipaddress.ip_address(address))
            if why:
                raise HubRefusedError(f"hub {url} resolves to {address}, which is {why}")
    return addresses[0]


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """``url`` sent to ``address``: the URL, the Host header and the TLS server name."""
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host = parts.netloc.rpartition("@")[2]
    extensions = {"sni_hostname": parts.hostname or ""} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), {"Host": host}, extensions


def subscribe(
    subscription: Subscription,
    callback_base: str,
    lease_s: int,
    allowed: frozenset[Endpoint],
    user_agent: str,
) -> None:
    """Ask ``subscription.hub`` to subscribe; it verifies with our callback afterwards."""
    form = {
        "hub.mode": "subscribe",
        "hub.topic": subscription.topic,
        "hub.callback": callback_url(callback_base, subscription),
        "hub.lease_seconds": str(lease_s),
        "hub.secret": subscription.secret,
    }
    url, headers, extensions = _pinned(
        subscription.hub, _checked_address(subscription.hub, allowed)
    )
    headers["User-Agent"] = user_agent
    try:
        # Redirects are not followed: each target would need the same checks, and a hub
        # that moved is named anew by its feed.
        with httpx.Client(timeout=15) as client:
            request = client.build_request(
                "POST", url, data=form, headers=headers, extensions=extensions
            )
            response = client.send(request)
    except httpx.HTTPError as error:
        raise HubUnreachableError(f"hub {subscription.hub}: {error}") from error
    if response.status_code >= 500:
        raise HubUnreachableError(f"hub {subscription.hub} answered {response.status_code}")
    if response.status_code >= 300:
        raise HubRefusedError(
            f"hub {subscription.hub} refused the subscription: {response.status_code} "
            f"{response.text[:200]!r}"
        )


def renew_due(
    store: SubscriptionStore,
    callback_base: str,
    lease_s: int,
    allowed_by_source: dict[str, frozenset[Endpoint]],
    known_sources: Iterable[str],
    user_agent: str,
) -> int:
    """Subscribe to every topic never asked, expiring soon, or unverified; return how many.

    Topics of sources that left the registry are left to lapse.
    """
    sources = set(known_sources)
    asked = 0
    for subscription in store.all():
        now = time.time()
        if subscription.source_id not in sources:
            continue
        if not subscription.needs_request(now, lease_s, RETRY_S):
            continue
        if not store.claim_request(subscription.id, hold_s=60):
            continue  # another receiver process is asking right now
        # Before asking: a hub may verify before it answers, and that must not be undone.
        store.requested(subscription.id)
        asked += 1
        try:
            allowed = allowed_by_source.get(subscription.source_id, frozenset())
            subscribe(subscription, callback_base, lease_s, allowed, user_agent)
        except (HubRefusedError, HubUnreachableError) as error:
            logger.warning("websub: %s; asked again in %.0f s", error, RETRY_S)
    return asked
