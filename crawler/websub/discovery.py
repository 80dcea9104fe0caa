"""A feed's WebSub hub and topic, from the feed document or the response's ``Link`` headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

__all__ = ["Advert", "advertised_hub"]


@dataclass(frozen=True)
class Advert:
    """What a feed says about itself: the hub to subscribe at and the topic URL to name."""

    hub: str
    topic: str


def _link_header_rels(headers: list[str], base: str) -> dict[str, str]:
    """``rel`` -> URL from HTTP ``Link`` headers (RFC 8288), first of each relation wins."""
    found: dict[str, str] = {}
    for header in headers:
        for part in header.split(","):
            target, _, parameters = part.partition(";")
            target = target.strip()
            if not (target.startswith("<") and target.endswith(">")):
                continue
            for parameter in parameters.split(";"):
                name, _, value = parameter.strip().partition("=")
                if name.strip().lower() == "rel":
                    for rel in value.strip().strip('"').lower().split():
                        found.setdefault(rel, urljoin(base, target[1:-1]))
    return found


def advertised_hub(parsed: Any, link_headers: list[str], feed_url: str) -> Advert | None:
    """The hub and topic a feed advertises, or None when it names no hub.

    ``parsed`` is feedparser's result. The spec lets a publisher use headers or the
    document; headers win because they are what the hub itself sees. Without a ``self``
    link the URL the feed was fetched from is the topic.
    """
    rels = _link_header_rels(link_headers, feed_url)
    for link in parsed.get("feed", {}).get("links", []):
        rel, href = link.get("rel", ""), link.get("href")
        if rel in ("hub", "self") and href:
            rels.setdefault(rel, urljoin(feed_url, href))
    hub = rels.get("hub")
    if not hub or not hub.startswith(("http://", "https://")):
        return None
    return Advert(hub=hub, topic=rels.get("self", feed_url))
