"""HTTP representations of the fixture site's pages: validators, gzip and conditional GET.

Every page the fixture site serves is a :class:`Resource` held in memory. :func:`respond`
turns one into the response a well-run news site sends: strong ``ETag`` and ``Last-Modified``
validators, ``304 Not Modified`` for a matching conditional request, gzip when the client
asks for it (with ``Vary: Accept-Encoding``), ``Cache-Control`` and a ``Content-Type`` with
its charset. The crawler's HTTP cache and decompression are tested against this behaviour.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import cached_property

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["GZIP_MIN_BYTES", "Resource", "accepts_gzip", "http_date", "respond"]

# Below this size gzip's framing costs more than it saves, so real servers send it as is
# (nginx's gzip_min_length works the same way); robots.txt stays plain, pages get gzip.
GZIP_MIN_BYTES = 256


@dataclass(frozen=True)
class Resource:
    """One representation the site can send: bytes, their media type and when they changed."""

    body: bytes
    media_type: str
    last_modified: datetime
    charset: str | None = "utf-8"
    cache_control: str = "public, max-age=300"
    precompressed: bytes | None = None
    """Gzip bytes already at hand (corpus pages are stored gzipped); computed when absent."""

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value, with the charset when the type has one."""
        return f"{self.media_type}; charset={self.charset}" if self.charset else self.media_type

    @cached_property
    def etag(self) -> str:
        """Strong validator of the identity-encoded body."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @property
    def gzip_etag(self) -> str:
        """Strong validator of the gzip-encoded body: a different representation, another tag."""
        return self.etag[:-1] + '-gzip"'

    @cached_property
    def gzip_body(self) -> bytes:
        """The body gzip-encoded; ``mtime=0`` keeps the bytes, and so the tag, stable."""
        if self.precompressed is not None:
            return self.precompressed
        return gzip.compress(self.body, compresslevel=6, mtime=0)


def http_date(moment: datetime) -> str:
    """An HTTP-date (RFC 9110 IMF-fixdate) for an aware datetime."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (an explicit ``q=0`` refuses it)."""
    if not accept_encoding:
        return False
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.strip().lower()] = quality
    for coding in ("gzip", "x-gzip"):
        if coding in qualities:
            return qualities[coding] > 0
    return qualities.get("*", 0.0) > 0


def _strip_weak(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def _not_modified(headers: Mapping[str, str], resource: Resource) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        # Weak comparison, and either encoding's tag matches: both name the same content.
        offered = {_strip_weak(tag) for tag in if_none_match.split(",")}
        return bool(offered & {resource.etag, resource.gzip_etag})
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as the RFC says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return resource.last_modified.replace(microsecond=0) <= since


def respond(resource: Resource, request: Request) -> Response:
    """The response to a GET or HEAD of ``resource``: 200 (maybe gzipped) or 304."""
    compressible = len(resource.body) >= GZIP_MIN_BYTES
    use_gzip = compressible and accepts_gzip(request.headers.get("accept-encoding"))
    headers = {
        "ETag": resource.gzip_etag if use_gzip else resource.etag,
        "Last-Modified": http_date(resource.last_modified),
        "Cache-Control": resource.cache_control,
    }
    if compressible:
        headers["Vary"] = "Accept-Encoding"
    if _not_modified(request.headers, resource):
        return Response(status_code=304, headers=headers)
    headers["Content-Type"] = resource.content_type
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(resource.gzip_body, headers=headers)
    return Response(resource.body, headers=headers)
