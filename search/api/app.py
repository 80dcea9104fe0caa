"""The search API: ``create_app(settings)`` builds it, ``newsloom api`` serves it with uvicorn.

Every bad input is a 4xx with a message saying what to change, an Elasticsearch outage a 503,
and every error has one shape (:mod:`search.api.errors`). Every route but ``/health``,
``/metrics`` and the OpenAPI docs needs the ``X-API-Key`` header; without a key configured
the API refuses to start unless ``api_open_access`` is set.
"""

from __future__ import annotations

from elasticsearch import Elasticsearch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from newsloom.settings import Settings
from search.api.dependencies import ApiContext
from search.api.errors import install_error_handlers
from search.api.metrics import install_metrics
from search.api.routes import ROUTERS
from search.client import create_client

__all__ = ["create_app"]


def _operation_id(route: APIRoute) -> str:
    # The handler's name: stable across releases, and what generated clients call methods.
    return route.name


def create_app(settings: Settings, es: Elasticsearch | None = None) -> FastAPI:
    """The API for the articles behind ``settings.index_alias``.

    Raises :class:`search.api.dependencies.MissingApiKeyError` when no key is set and open
    access is not allowed.
    """
    context = ApiContext.from_settings(settings, es or create_client(settings))
    app = FastAPI(
        title="newsloom search API",
        version="1",
        description="Search East Asian security news: free text, filters, facets, stories.",
        generate_unique_id_function=_operation_id,
    )
    app.state.context = context
    for router in ROUTERS:
        app.include_router(router)
    install_metrics(app)
    install_error_handlers(app)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET"],
            allow_headers=["X-API-Key"],
        )
    return app
