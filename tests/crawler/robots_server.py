"""A real HTTP server on loopback whose robots.txt answers with a chosen status.

The fixture site always serves a good robots.txt; RFC 9309's error cases need one that
fails on purpose. It also serves one article page at ``/article``.
"""

from __future__ import annotations

import threading
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
def robots_server(robots_status: int) -> Iterator[str]:
    """Serve until the block ends; yields the base URL (``http://127.0.0.1:PORT``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body = b"User-agent: *\nDisallow: /\n"  # ignored by RFC 9309 on errors
                self._send(robots_status, "text/plain", body)
            elif self.path == "/article":
                self._send(200, "text/html; charset=utf-8", ARTICLE_HTML)
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
