"""Why a request or an item was dropped, named by the component that dropped it.

Components of this project raise :class:`DroppedRequest` / :class:`DroppedItem` with the
reason; Scrapy's own components raise plain exceptions, whose reason is read from their type,
their cause and the request's meta (never from their message, which Scrapy may reword).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DropItem,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.datatypes import LocalCache
from twisted.internet.error import DNSLookupError

__all__ = ["TOO_LARGE", "DroppedItem", "DroppedRequest", "failure_reason", "record_refusal"]

# Over DOWNLOAD_MAXSIZE, on the wire or once decompressed.
TOO_LARGE = "too_large"
# Host -> why the resolver refused its addresses (the download then fails as a DNS error).
_REFUSED: LocalCache[str, str] = LocalCache(10_000)


def record_refusal(host: str, reason: str) -> None:
    """Remember that ``host`` resolved to an address refused for ``reason``."""
    _REFUSED[host] = reason


class DroppedRequest(IgnoreRequest):
    """A request this project refuses to fetch, with the reason counted for it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DroppedItem(DropItem):
    """An item this project does not send on, with the reason recorded for its URL."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def failure_reason(error: BaseException, request: Request, max_redirects: int) -> str:
    """The drop reason of a request that ended in ``error`` instead of its callback."""
    if isinstance(error, DroppedRequest):
        return error.reason
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, DownloadCancelledError) or isinstance(
        error.__cause__, _DecompressionMaxSizeExceeded
    ):
        # Scrapy cancels a download only for DOWNLOAD_MAXSIZE (declared or received).
        return TOO_LARGE
    if isinstance(error, CannotResolveHostError | DNSLookupError):
        refused = _REFUSED.get((urlsplit(request.url).hostname or "").lower())
        if refused:
            return f"ssrf_{refused}"
    if isinstance(error, IgnoreRequest):
        redirects = int(request.meta.get("redirect_times", 0))
        if redirects >= max_redirects or request.meta.get("redirect_ttl") == 0:
            return "redirect_limit"
        return "ignored"
    return type(error).__name__
