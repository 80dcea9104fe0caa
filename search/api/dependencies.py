"""What every route depends on: the API's context (client, alias, limits) and the API key."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from elasticsearch import Elasticsearch
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from newsloom.errors import InvalidInputError
from newsloom.settings import Settings
from search.cursors import CursorSigner
from search.results import bounded_client

__all__ = ["ApiContext", "Context", "MissingApiKeyError", "context", "require_api_key"]

_KEY_HEADER = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKey",
    description="The key set as NEWSLOOM_API_KEY (or NEWSLOOM_API_KEY_FILE) on the server.",
    auto_error=False,
)


class MissingApiKeyError(InvalidInputError):
    """The API was asked to start without a key and open access was not allowed."""


@dataclass(frozen=True)
class ApiContext:
    """One app's Elasticsearch client, alias, search limits, cursor signer and key."""

    es: Elasticsearch
    alias: str
    timeout_s: float
    cursors: CursorSigner
    api_key: str

    @classmethod
    def from_settings(cls, settings: Settings, es: Elasticsearch) -> ApiContext:
        """The context for ``settings``; refuses to build an open API unless that is allowed."""
        if not settings.api_key and not settings.api_open_access:
            raise MissingApiKeyError(
                "no API key is set: set NEWSLOOM_API_KEY (or NEWSLOOM_API_KEY_FILE), or "
                "NEWSLOOM_API_OPEN_ACCESS=true to serve without one on a development machine"
            )
        return cls(
            es=bounded_client(es, settings.search_timeout_s),
            alias=settings.index_alias,
            timeout_s=settings.search_timeout_s,
            cursors=CursorSigner(settings.api_cursor_secret, settings.index_alias),
            api_key=settings.api_key,
        )


def context(request: Request) -> ApiContext:
    """The context ``create_app`` stored on the app."""
    found: ApiContext = request.app.state.context
    return found


Context = Annotated[ApiContext, Depends(context)]


def require_api_key(
    api: Context, given: Annotated[str | None, Security(_KEY_HEADER)] = None
) -> None:
    """Refuse the call with a 401 unless it sends the configured key (when one is set)."""
    if not api.api_key:
        return
    if given is None or not secrets.compare_digest(given.encode(), api.api_key.encode()):
        raise HTTPException(401, "missing or wrong API key: send it in the X-API-Key header")
