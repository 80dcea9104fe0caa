"""Refuse requests (and redirects) to internal addresses or non-HTTP schemes.

A crawler follows URLs that strangers write (feeds, sitemaps, redirects), so without this a
hostile page could make it fetch cloud metadata endpoints or services on the crawler's own
network. Hosts of sources marked ``allow_private_network`` (the test fixtures) are exempt.
Runs before every other downloader middleware, and again for each redirect target because
Scrapy schedules redirects as new requests.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.drops import DroppedRequest

__all__ = ["SSRFGuard", "blocked_reason"]

_SCHEMES = {"http", "https"}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address_reason(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"  # includes 169.254.169.254, the usual cloud metadata address
    if address.is_private or address.is_reserved or address.is_unspecified:
        return "private"
    if address.is_multicast:
        return "multicast"
    return None


def _resolve(host: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []  # unresolvable: the download fails on its own with a DNS error
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def blocked_reason(url: str, allowed_hosts: frozenset[str]) -> str | None:
    """Why ``url`` must not be fetched (``"scheme"``, ``"loopback"``, ...), or None."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        return "scheme"
    host = (parts.hostname or "").lower()
    if not host:
        return "no_host"
    if host in allowed_hosts:
        return None
    for address in _resolve(host):
        if reason := _address_reason(address):
            return reason
    return None


class SSRFGuard:
    """Downloader middleware: drops requests to internal addresses, counted by reason."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self.allowed_hosts: frozenset[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build with the crawl's stats collector."""
        assert crawler.stats is not None  # Scrapy always sets one
        return cls(crawler, crawler.stats)

    def _allowed(self) -> frozenset[str]:
        """Hosts of sources that opt in to private networks (read once per crawl)."""
        if self.allowed_hosts is None:
            spider = self.crawler.spider
            sources = getattr(spider, "sources", [])
            self.allowed_hosts = frozenset(
                host.lower()
                for source in sources
                if source.allow_private_network
                for url in [source.homepage, *source.feeds, *source.sitemaps]
                if (host := url.host)
            )
        return self.allowed_hosts

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Raise ``IgnoreRequest`` for a URL that points inside the network."""
        reason = blocked_reason(request.url, self._allowed())
        if reason:
            raise DroppedRequest(f"ssrf_{reason}", f"SSRF guard: {request.url} is {reason}")
