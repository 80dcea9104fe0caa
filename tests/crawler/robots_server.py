"""A real HTTP server on loopback whose robots.txt answers with a chosen status.

The fixture site always serves a good robots.txt; RFC 9309's error cases need one that
fails on purpose. It also serves one article page at ``/article``, or the ``pages`` a test
passes (a dict it may change while the server runs, to publish an update); ``hits``
collects when each path was asked for; ``redirects`` maps paths to the URL they 302 to;
``content_types`` gives pages a ``Content-Type`` other than UTF-8 HTML.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE_HTML = (
    b"<html><head><title>Robots case</title></head><body><article><h1>Robots case</h1>"
    b"<p>This page exists so a crawler that may fetch it finds an article with a body of text"
    b" long enough to extract.</p><p>A second paragraph of the same article.</p>"
    b"</article></body></html>"
)


@contextmanager
def robots_server(
    robots_status: int,
    pages: dict[str, bytes] | None = None,
    robots_body: bytes = b"User-agent: *\nDisallow: /\n",  # ignored by RFC 9309 on errors
    hits: list[tuple[float, str]] | None = None,
    redirects: dict[str, str] | None = None,
    content_types: dict[str, str] | None = None,
    delays: dict[str, float] | None = None,
) -> Iterator[str]:
    """Serve until the block ends; yields the base URL (``http://127.0.0.1:PORT``)."""
    served = pages if pages is not None else {"/article": ARTICLE_HTML}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if hits is not None:
                hits.append((time.monotonic(), self.path))
            # A slow page: a test acts while the crawler waits for it.
            time.sleep((delays or {}).get(self.path, 0.0))
            if self.path == "/robots.txt":
                self._send(robots_status, "text/plain", robots_body)
            elif redirects and self.path in redirects:
                self.send_response(302)
                self.send_header("Location", redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path in served:
                content_type = (content_types or {}).get(self.path, "text/html; charset=utf-8")
                self._send(200, content_type, served[self.path])
            else:
                self._send(404, "text/plain", b"not found")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads the crawler's stats, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
