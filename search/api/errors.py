"""One error shape for every 4xx and 5xx the API sends, and the handlers that produce it.

Every error body is ``{"status": <code>, "detail": "<what went wrong and what to do>"}``:
a caller reads one field whatever failed, and OpenAPI documents the same schema for every
error status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from elasticsearch import ApiError, ConnectionTimeout, TransportError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

__all__ = [
    "ErrorBody", "error_response", "install_error_handlers", "responses", "validation_message",
]  # fmt: skip

_log = logging.getLogger(__name__)

_DESCRIPTIONS = {
    400: "A value the request schema cannot rule out: a cursor this API did not issue, "
    "dates out of order, or a query too costly to run.",
    401: "Missing or wrong API key.",
    404: "No such article, story or path.",
    422: "A parameter that does not match its schema.",
    500: "A fault in the API itself.",
    503: "Elasticsearch is unreachable or the index does not exist yet.",
    504: "Elasticsearch did not answer within the search timeout.",
}


_ROUTING_HINTS = {
    404: "no such path; the routes are listed at /docs and /openapi.json",
    405: "this path does not take that method; the API only answers GET (see the Allow header)",
}


class ErrorBody(BaseModel):
    """Every error the API returns."""

    status: int = Field(description="The HTTP status, repeated for clients that log bodies.")
    detail: str = Field(description="What went wrong and what to do about it.")


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for ``statuses``, each with the error shape."""
    return {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS[status]} for status in statuses
    }


def error_response(
    status: int, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The error shape as a response."""
    body = ErrorBody(status=status, detail=detail).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


def validation_message(problems: Sequence[Any], names: Mapping[str, str] | None = None) -> str:
    """Pydantic's or FastAPI's validation errors as one line, one clause per problem.

    ``query.size: Input should be less than or equal to 100``; a check of our own (a
    ``ValueError`` in a validator) gives its own message, without pydantic's prefix.
    ``names`` maps a model's field names to the parameters the caller sent.
    """
    names = names or {}
    clauses = []
    for problem in problems:
        raised = problem.get("ctx", {}).get("error")
        message = str(raised) if problem["type"] == "value_error" and raised else problem["msg"]
        where = ".".join(names.get(str(part), str(part)) for part in problem["loc"])
        clauses.append(f"{where}: {message}" if where else message)
    return "; ".join(clauses)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error ``app`` can meet in the one shape."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        # Starlette's own 404 (no such path) and 405 (with its Allow header) come here too,
        # with only the status's name as their detail.
        detail = _ROUTING_HINTS.get(error.status_code, str(error.detail))
        if error.detail != HTTPStatus(error.status_code).phrase:
            detail = str(error.detail)
        return error_response(error.status_code, detail, error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(422, validation_message(error.errors()))

    @app.exception_handler(ConnectionTimeout)
    async def too_slow(request: Request, error: ConnectionTimeout) -> JSONResponse:
        return error_response(
            504, "Elasticsearch did not answer in time; narrow the search and try again"
        )

    @app.exception_handler(TransportError)
    async def unavailable(request: Request, error: TransportError) -> JSONResponse:
        return error_response(503, "Elasticsearch is unreachable; try again shortly")

    @app.exception_handler(ApiError)
    async def refused(request: Request, error: ApiError) -> JSONResponse:
        if error.error == "index_not_found_exception":
            # A deployment whose index was never created: the operator, not the caller, acts.
            return error_response(
                503, "no article index yet; run `newsloom index init`, then index"
            )
        status = 503 if error.meta.status >= 500 or error.meta.status == 429 else 400
        return error_response(status, f"search refused: {error.message}")

    @app.exception_handler(Exception)
    async def fault(request: Request, error: Exception) -> JSONResponse:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; it has been logged, try again later")
