"""Refuse requests to internal addresses, non-HTTP schemes and URLs with credentials.

A crawler follows URLs that strangers write (feeds, sitemaps, redirects), so without this a
hostile page could make it fetch cloud metadata endpoints or services on the crawler's own
network. Two checks, one job each:

- this downloader middleware, before anything else: the scheme, credentials in the URL, a
  literal address that is not global, and a request to another source's allow-listed
  endpoint. It never resolves a name (that would block the reactor, and the answer it got
  need not be the one the connection uses);
- :mod:`crawler.middlewares.resolver`, at connect time: every address a name resolves to,
  so the connection goes only to an address that was checked (no DNS rebinding).

A source marked ``allow_private_network`` (the test fixtures) may reach non-global addresses
on its own hosts and ports only: its *endpoints*. Runs again for each redirect target, since
Scrapy schedules redirects as new requests.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler

from crawler.drops import DroppedRequest
from crawler.sources import Source

__all__ = [
    "CREDENTIALS",
    "PRIVATE_ENDPOINTS",
    "Endpoint",
    "SSRFGuard",
    "address_reason",
    "blocked_reason",
    "endpoint_of",
    "private_endpoints",
]

_SCHEMES: Final = {"http", "https"}
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
CREDENTIALS: Final = "credentials"
# Scrapy setting: the "host:port" endpoints that may be private, from the crawl's sources.
PRIVATE_ENDPOINTS: Final = "NEWSLOOM_PRIVATE_ENDPOINTS"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Endpoint = tuple[str, int]
# Not global, though older Pythons' ``is_global`` says so (IANA special-purpose registry).
_SPECIAL: Final = (ipaddress.ip_network("192.0.0.0/24"), ipaddress.ip_network("100.64.0.0/10"))
# NAT64 prefixes: the IPv4 address is the last 32 bits (RFC 6052, RFC 8215).
_NAT64: Final = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address leads to (mapped, 6to4, Teredo client, NAT64)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    embedded = [address.ipv4_mapped, address.sixtofour, address.teredo and address.teredo[1]]
    if any(address in network for network in _NAT64):
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [candidate for candidate in embedded if candidate]


def address_reason(address: IPAddress) -> str | None:
    """Why a connection to ``address`` is refused (``"loopback"``, ...), or None if global."""
    for candidate in (*_embedded_ipv4(address), address):
        if candidate.is_loopback:
            return "loopback"
        if candidate.is_link_local:
            return "link_local"  # includes 169.254.169.254, the usual cloud metadata address
        if candidate.is_multicast:
            return "multicast"
        if candidate.is_private or candidate.is_reserved or candidate.is_unspecified:
            return "private"
        if not candidate.is_global or any(candidate in network for network in _SPECIAL):
            return "not_global"
    return None


def endpoint_of(url: str) -> Endpoint | None:
    """The (host, port) a URL connects to, host lower-cased; None without a host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:  # a port out of range or not a number
        return None
    return host, port


def private_endpoints(sources: Iterable[Source]) -> dict[str, frozenset[Endpoint]]:
    """Per source id, the endpoints it may reach on private networks (if it opted in)."""
    allowed: dict[str, frozenset[Endpoint]] = {}
    for source in sources:
        if source.allow_private_network:
            urls = [source.homepage, *source.feeds, *source.sitemaps]
            urls += [section.url for section in source.sections]
            allowed[source.id] = frozenset(
                endpoint for url in urls if (endpoint := endpoint_of(str(url)))
            )
    return allowed


def blocked_reason(url: str, allowed: frozenset[Endpoint]) -> str | None:
    """Why ``url`` must not be fetched, judged without DNS (``"scheme"``, ...), or None.

    A host name passes here; the resolver checks what it resolves to.
    """
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        return "scheme"
    endpoint = endpoint_of(url)
    if endpoint is None:
        return "no_host"
    if parts.username is not None or parts.password is not None:
        return CREDENTIALS
    if endpoint in allowed:
        return None
    try:
        address = ipaddress.ip_address(endpoint[0])
    except ValueError:
        return None  # a name: checked at connect time
    return address_reason(address)


class SSRFGuard:
    """Downloader middleware: drops requests that may not be fetched, with their reason."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._by_source: dict[str, frozenset[Endpoint]] | None = None
        self._any_source: frozenset[Endpoint] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build for the crawl; the allow-lists come from the spider's sources."""
        return cls(crawler)

    def _allowed(self, request: Request) -> frozenset[Endpoint]:
        """The endpoints the request's source may reach privately (read once per crawl)."""
        if self._by_source is None:
            self._by_source = private_endpoints(getattr(self.crawler.spider, "sources", []))
            self._any_source = frozenset().union(*self._by_source.values())
        source = request.cb_kwargs.get("source")
        if source is None:
            # Scrapy's own requests (robots.txt) go to hosts that requests of sources named.
            return self._any_source
        return self._by_source.get(str(source.id), frozenset())

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Raise :class:`DroppedRequest` for a URL that must not be fetched."""
        allowed = self._allowed(request)
        reason = blocked_reason(request.url, allowed)
        if reason == CREDENTIALS:
            # Not an address problem: a URL with a user name or password is never ours to use.
            raise DroppedRequest(CREDENTIALS, f"{request.url} carries credentials")
        if reason is None and endpoint_of(request.url) in self._any_source - allowed:
            # The resolver lets private answers through for every allow-listed endpoint.
            reason = "other_source"
        if reason:
            raise DroppedRequest(f"ssrf_{reason}", f"SSRF guard: {request.url} is {reason}")
