"""Hostile and odd endpoints under ``/edge/``, for the crawler's robustness tests.

Served on every outlet's port and linked from nowhere (no homepage, feed or sitemap lists
them), so a normal crawl never meets them; tests request them by path:

- ``/edge/charset-mismatch``: header says ``charset=utf-8``, the body is windows-1252 (its
  ``<meta charset>`` tells the truth).
- ``/edge/gzip-bomb``: 5 MiB of HTML once decompressed, about 5 KB on the wire, sent with
  ``Content-Encoding: gzip`` whether or not the client asked for it.
- ``/edge/pdf``: a PDF document (``application/pdf``) at a path without an extension.
- ``/edge/redirect-loop``: 302 to ``/edge/redirect-loop/next``, which 302s back.
- ``/edge/server-error``: 500 with an HTML error page.
- ``/edge/slow``: an HTML page sent after a 3 second delay.
- ``/edge/links-to-slow``: a listing page, sent at once, whose one link is ``/edge/slow``.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from datetime import UTC, datetime
from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ops.dev.fixture_site.representation import Resource, http_date, respond

__all__ = ["BOMB_DECOMPRESSED_BYTES", "EDGE_PREFIX", "SLOW_SECONDS", "edge_response"]

EDGE_PREFIX = "/edge/"
BOMB_DECOMPRESSED_BYTES = 5 * 1024 * 1024
SLOW_SECONDS = 3.0
_STAMP = datetime(2024, 1, 1, tzinfo=UTC)
_REDIRECTS = {
    f"{EDGE_PREFIX}redirect-loop": f"{EDGE_PREFIX}redirect-loop/next",
    f"{EDGE_PREFIX}redirect-loop/next": f"{EDGE_PREFIX}redirect-loop",
}


def _page(title: str, text: str, charset: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{title}</title>'
        f"</head><body><article><h1>{title}</h1><p>{text}</p></article></body></html>"
    ).encode(charset)


def _minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text``, its cross-reference offsets computed."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    document = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(document)


_MISMATCH_TEXT = "Café society in Zürich: a naïve façade, «déjà vu» for señor Müller — €5."
_PAGES = {
    # The header lies (utf-8); the bytes and the <meta> are windows-1252.
    f"{EDGE_PREFIX}charset-mismatch": Resource(
        _page("Charset mismatch", _MISMATCH_TEXT, "windows-1252"),
        "text/html",
        _STAMP,
        charset="utf-8",
    ),
    f"{EDGE_PREFIX}pdf": Resource(
        _minimal_pdf("A PDF where a crawler expected HTML"), "application/pdf", _STAMP, charset=None
    ),
    f"{EDGE_PREFIX}slow": Resource(
        _page("Slow page", "This page took its time.", "utf-8"),
        "text/html",
        _STAMP,
    ),
    f"{EDGE_PREFIX}links-to-slow": Resource(
        (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Listing</title>'
            f'</head><body><a href="{EDGE_PREFIX}slow">The slow page</a></body></html>'
        ).encode(),
        "text/html",
        _STAMP,
    ),
}


@cache
def _bomb() -> bytes:
    """Gzip of 5 MiB of HTML: a run of one letter compresses about a thousandfold."""
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bomb</title></head><body><p>'
    tail = b"</p></body></html>"
    filler = b"A" * (BOMB_DECOMPRESSED_BYTES - len(head) - len(tail))
    return gzip.compress(head + filler + tail, compresslevel=9, mtime=0)


def _bomb_response() -> Response:
    body = _bomb()
    return Response(
        body,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Encoding": "gzip",  # sent even to clients that never offered gzip
            "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '-gzip"',
            "Last-Modified": http_date(_STAMP),
            "Cache-Control": "no-cache",
        },
    )


async def edge_response(path: str, request: Request) -> Response | None:
    """The response for an ``/edge/`` path, or ``None`` when ``path`` is not one of them."""
    if path == f"{EDGE_PREFIX}slow":
        await asyncio.sleep(SLOW_SECONDS)
    if path in _PAGES:
        return respond(_PAGES[path], request)
    if path == f"{EDGE_PREFIX}gzip-bomb":
        return _bomb_response()
    if path in _REDIRECTS:
        return RedirectResponse(_REDIRECTS[path], status_code=302)
    if path == f"{EDGE_PREFIX}server-error":
        return HTMLResponse(
            "<!DOCTYPE html><html><head><title>Error</title></head>"
            "<body><h1>Internal Server Error</h1></body></html>",
            status_code=500,
            headers={"Cache-Control": "no-store"},
        )
    return None
