"""The SSRF guard classifies URLs without fetching them."""

from __future__ import annotations

import pytest

from crawler.middlewares.ssrf import blocked_reason

NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://127.0.0.1/x", "scheme"),
        ("http://127.0.0.1:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link_local"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://0.0.0.0/", "private"),
        ("http://localhost/", "loopback"),
        ("http://93.184.216.34/news", None),
    ],
)
def test_blocked_reason(url: str, reason: str | None) -> None:
    assert blocked_reason(url, NONE) == reason


def test_source_opt_in_allows_its_host_only() -> None:
    allowed = frozenset({"127.0.0.1"})
    assert blocked_reason("http://127.0.0.1:9000/a", allowed) is None
    assert blocked_reason("http://10.0.0.1/a", allowed) == "private"
