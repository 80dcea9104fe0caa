"""Request counts and latency by route and status, in a registry of the app's own.

A registry per app, so two apps in one process (tests) never mix their counts.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

__all__ = ["install_metrics"]


def install_metrics(app: FastAPI) -> None:
    """Count every request ``app`` answers and serve the counts at ``/metrics``."""
    registry = CollectorRegistry()
    requests = Counter(
        "newsloom_api_requests", "API requests by route and status", ["route", "status"],
        registry=registry,
    )  # fmt: skip
    latency = Histogram(
        "newsloom_api_request_seconds", "API request latency by route and status",
        ["route", "status"],
        registry=registry,
    )  # fmt: skip

    @app.middleware("http")
    async def count(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        status = str(response.status_code)
        requests.labels(name, status).inc()
        latency.labels(name, status).observe(time.perf_counter() - started)
        return response

    # Open even with a key: Prometheus scrapes without credentials, and the counts say
    # nothing about articles.
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
