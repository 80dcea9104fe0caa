"""The fixture site's ASGI application: one process, one listening port per outlet.

The server binds a socket per outlet and hands them all to one uvicorn server; this app
tells the outlets apart by the port the request arrived on (``scope["server"]``), the way
separate virtual hosts would. Per request: ``/edge/`` paths go to :mod:`ops.dev.fixture_site.edge`,
known paths are served by :func:`ops.dev.fixture_site.representation.respond`, anything else
gets the outlet's HTML 404 page.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from ops.dev.fixture_site.edge import EDGE_PREFIX, edge_response
from ops.dev.fixture_site.pages import Outlet
from ops.dev.fixture_site.representation import respond

__all__ = ["FixtureSite"]

_READ_METHODS = ("GET", "HEAD")


class FixtureSite:
    """ASGI app serving each outlet on its own port."""

    def __init__(self, outlets_by_port: Mapping[int, Outlet]) -> None:
        self._outlets_by_port = dict(outlets_by_port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request (the server runs with lifespan and websockets off)."""
        if scope["type"] != "http":
            raise RuntimeError(f"the fixture site speaks HTTP only, not {scope['type']!r}")
        response = await self._dispatch(Request(scope, receive))
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        server = request.scope.get("server")
        outlet = self._outlets_by_port.get(server[1]) if server else None
        if outlet is None:
            return PlainTextResponse("no outlet on this port", status_code=421)
        if request.method not in _READ_METHODS:
            return PlainTextResponse(
                "method not allowed", status_code=405, headers={"Allow": ", ".join(_READ_METHODS)}
            )
        path: str = request.scope["path"]  # percent-decoded, like Outlet.resources keys
        if path.startswith(EDGE_PREFIX):
            edge = await edge_response(path, request)
            if edge is not None:
                return edge
        resource = outlet.resources.get(path)
        if resource is None:
            return HTMLResponse(
                outlet.not_found_page, status_code=404, headers={"Cache-Control": "no-cache"}
            )
        return respond(resource, request)
