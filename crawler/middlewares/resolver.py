"""The crawl's name resolver: one lookup, every answer checked, the connection to a checked one.

Installed through Scrapy's ``TWISTED_DNS_RESOLVER`` setting as the reactor's
``IHostnameResolver``, so every connection Scrapy opens asks it. A lookup runs in the
reactor's thread pool (system resolver) or over UDP (``NEWSLOOM_DNS_SERVERS``), never
blocking the reactor. The addresses it hands back are the only ones Twisted connects to:
nothing resolves the name again between the check and the connection, which is what DNS
rebinding relies on. A name with any non-global answer is refused whole, unless that
address and port are an allow-listed endpoint (``allow_private_network`` sources); a failed
lookup yields no address (fail closed). Refusals are remembered by host so the request's
errback counts them as ``ssrf_<reason>`` (:func:`crawler.drops.failure_reason`).
"""

# resolveHostName and its arguments keep the names of Twisted's interface.
# ruff: noqa: N802, N803

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.resolver import HostResolution
from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.base import ReactorBase
from twisted.internet.interfaces import IAddress, IHostnameResolver
from twisted.internet.threads import deferToThreadPool
from twisted.names import client, dns
from zope.interface import implementer

from crawler.drops import record_refusal
from crawler.middlewares.ssrf import PRIVATE_ENDPOINTS, Endpoint, address_reason
from newsloom.settings import Settings

__all__ = ["CheckedResolver", "parse_endpoints"]

logger = logging.getLogger(__name__)


def parse_endpoints(values: Sequence[str]) -> frozenset[Endpoint]:
    """``host:port`` strings (``[v6]:port`` too) as (host, port) pairs."""
    endpoints = set()
    for value in values:
        host, _, port = value.strip().rpartition(":")
        endpoints.add((host.strip("[]").lower(), int(port)))
    return frozenset(endpoints)


@implementer(IHostnameResolver)
class CheckedResolver:
    """``IHostnameResolver`` that denies non-global addresses outside the allow-list."""

    def __init__(
        self,
        reactor: ReactorBase,
        allowed: frozenset[Endpoint],
        servers: list[tuple[str, int]],
        timeout_s: float,
    ) -> None:
        self.reactor = reactor
        self.allowed = allowed
        self.timeout_s = timeout_s
        self._dns = (
            client.createResolver(servers=servers)  # type: ignore[no-untyped-call]
            if servers
            else None
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        """From the crawl's settings: allow-listed endpoints, DNS servers, ``DNS_TIMEOUT``."""
        settings = crawler.settings
        newsloom = settings.get("NEWSLOOM_SETTINGS")
        listed = newsloom.dns_servers if isinstance(newsloom, Settings) else ""
        servers = parse_endpoints([value for value in listed.split(",") if value.strip()])
        return cls(
            reactor,
            parse_endpoints(settings.getlist(PRIVATE_ENDPOINTS)),
            sorted(servers),
            settings.getfloat("DNS_TIMEOUT"),
        )

    def install_on_reactor(self) -> None:
        """Make this the reactor's resolver for every connection (Scrapy calls it once)."""
        # zope's @implementer declares the interface at run time; mypy cannot see it.
        self.reactor.installNameResolver(self)  # type: ignore[arg-type]

    def resolveHostName(
        self,
        resolutionReceiver: Any,  # IResolutionReceiver: zope interfaces type poorly
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> HostResolution:
        """Look ``hostName`` up once; hand the receiver only addresses that passed."""
        resolution = HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        lookup = self._lookup(hostName, portNumber)
        lookup.addCallback(self._checked, hostName.lower(), portNumber)

        def looked_up_nothing(failure: Any) -> list[str]:
            logger.info("lookup of %s failed: %s", hostName, failure.getErrorMessage())
            return []  # fail closed: no address, no connection

        lookup.addErrback(looked_up_nothing)
        lookup.addCallback(self._deliver, resolutionReceiver, portNumber)
        return resolution

    def _lookup(self, host: str, port: int) -> defer.Deferred[list[str]]:
        try:
            return defer.succeed([str(ipaddress.ip_address(host))])
        except ValueError:
            pass
        if self._dns is None:
            reactor: Any = self.reactor  # an IReactorFromThreads, as every Twisted reactor is
            return deferToThreadPool(
                reactor,
                self.reactor.getThreadPool(),
                _system_lookup,
                host,
                port,
            )
        timeout = (self.timeout_s,)
        queries = [
            self._dns.lookupAddress(host, timeout),
            self._dns.lookupIPV6Address(host, timeout),
        ]
        for query in queries:
            query.addErrback(lambda _: ([], [], []))  # no record of that type
        gathered: defer.Deferred[list[Any]] = defer.gatherResults(queries)
        return gathered.addCallback(_addresses)

    def _checked(self, addresses: list[str], host: str, port: int) -> list[str]:
        if (host, port) in self.allowed:
            return addresses
        for address in addresses:
            reason = address_reason(ipaddress.ip_address(address))
            if reason and (address, port) not in self.allowed:
                record_refusal(host, reason)
                logger.warning(
                    "refused %s:%d: it resolves to %s (%s); only allow_private_network "
                    "sources may reach such addresses, on their own host and port",
                    host, port, address, reason,
                )  # fmt: skip
                return []
        return addresses

    @staticmethod
    def _deliver(addresses: list[str], receiver: Any, port: int) -> None:
        for address in addresses:
            if ":" in address:
                receiver.addressResolved(IPv6Address("TCP", address, port))
            else:
                receiver.addressResolved(IPv4Address("TCP", address, port))
        receiver.resolutionComplete()


def _system_lookup(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host`` (runs in a thread)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # A scoped IPv6 address carries its zone after '%': the address is what is checked.
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def _addresses(results: list[Any]) -> list[str]:
    """A and AAAA answers of twisted.names lookups, as address strings."""
    found: list[str] = []
    for answers, _authority, _additional in results:
        for record in answers:
            if record.type == dns.A:
                found.append(record.payload.dottedQuad())
            elif record.type == dns.AAAA:
                found.append(socket.inet_ntop(socket.AF_INET6, record.payload.address))
    return found
