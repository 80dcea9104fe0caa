"""SSRF: URLs and addresses classified without fetching; DNS rebinding against real servers.

The rebinding test runs a DNS server on loopback (dnslib) that answers a test name first
with an allow-listed address and then with a forbidden one, as an attacker's server would
once the first check passed; a trap server listens on the forbidden address.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from dnslib import QTYPE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

from crawler.middlewares.ssrf import Endpoint, address_reason, blocked_reason
from newsloom.settings import Settings
from tests.crawler.children import crawl_report, start_crawl, write_sources
from tests.crawler.robots_server import robots_server

NONE: frozenset[Endpoint] = frozenset()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://127.0.0.1/x", "scheme"),
        ("http://user:pw@93.184.216.34/", "credentials"),
        ("http://127.0.0.1:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link_local"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://0.0.0.0/", "private"),
        ("http://100.100.100.200/", "not_global"),  # carrier-grade NAT: a cloud metadata host
        ("http://localhost/", None),  # a name: its addresses are checked at connect time
        ("http://93.184.216.34/news", None),
    ],
)
def test_blocked_reason(url: str, reason: str | None) -> None:
    assert blocked_reason(url, NONE) == reason


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("100.64.0.1", True),
        ("192.0.0.8", True),
        ("224.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 of 169.254.169.254
        ("::ffff:10.0.0.1", True),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
        ("fe80::1", True),
        ("fc00::1", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_every_address_that_is_not_global_is_refused(address: str, refused: bool) -> None:
    assert (address_reason(ipaddress.ip_address(address)) is not None) is refused


def test_source_opt_in_allows_its_host_and_port_only() -> None:
    allowed = frozenset({("127.0.0.1", 9000)})
    assert blocked_reason("http://127.0.0.1:9000/a", allowed) is None
    assert blocked_reason("http://127.0.0.1:9001/a", allowed) == "loopback"
    assert blocked_reason("http://10.0.0.1/a", allowed) == "private"


class _Rebinder(BaseResolver):  # type: ignore[misc]
    """Answers ``name`` with each of ``answers`` in turn (the last one from then on)."""

    def __init__(self, name: str, answers: list[str]) -> None:
        self.name, self.answers, self.asked = name, answers, 0

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        question = request.q
        if str(question.qname).rstrip(".") == self.name and question.qtype == QTYPE.A:
            address = self.answers[min(self.asked, len(self.answers) - 1)]
            self.asked += 1
            reply.add_answer(RR(question.qname, QTYPE.A, rdata=A(address), ttl=0))
        return reply


@contextmanager
def _dns_server(resolver: _Rebinder) -> Iterator[int]:
    server = DNSServer(resolver, address="127.0.0.1", port=0, logger=DNSLogger(logf=lambda _: None))
    server.start_thread()
    try:
        yield int(server.server.server_address[1])
    finally:
        server.stop()
        server.server.server_close()  # dnslib's stop() leaves the socket open


@contextmanager
def _trap(address: str, port: int, hits: list[str]) -> Iterator[None]:
    """A server that records every request it gets: the crawler must never reach it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads ``hits``."""

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.integration
def test_dns_rebinding_never_reaches_the_second_address(services: Settings) -> None:
    name = "rebind.newsloom.test"
    hits: list[tuple[float, str]] = []
    trapped: list[str] = []
    rebinder = _Rebinder(name, ["127.0.0.1", "127.0.0.2"])
    with robots_server(200, robots_body=b"", hits=hits) as base, _dns_server(rebinder) as dns:
        port = int(base.rsplit(":", 1)[1])
        with _trap("127.0.0.2", port, trapped):
            sources: list[dict[str, Any]] = [
                # The operator allow-lists this one endpoint (the fixture server) ...
                {"id": "fixture", "name": "Fixture", "homepage": f"{base}/",
                 "allow_private_network": True, "feeds": [f"{base}/none.xml"]},
                # ... and a stranger's name that resolves there first, then elsewhere.
                {"id": "rebind", "name": "Rebinding", "homepage": f"http://{name}:{port}/"},
            ]  # fmt: skip
            sources_file = write_sources(services, "rebind", sources)
            urls = {"rebind": [f"http://{name}:{port}/article", f"http://{name}:{port}/two"]}
            child = start_crawl(
                services.model_copy(update={"dns_servers": f"127.0.0.1:{dns}"}),
                sources_file,
                article_urls=urls,
            )
            stats = crawl_report(child)["stats"]
    assert rebinder.asked >= 2, "the name should have been looked up again"
    assert trapped == [], f"the crawler connected to the rebound address: {trapped}"
    assert [path for _, path in hits].count("/robots.txt") == 2, hits  # fixture's, name's
    assert stats.get("newsloom/dropped/ssrf_loopback") == 2, json.dumps(stats)
    assert stats.get("item_scraped_count", 0) == 0
