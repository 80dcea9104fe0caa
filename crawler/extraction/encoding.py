"""Decode a fetched page even when its HTTP header names the wrong character set.

Scrapy trusts the ``Content-Type`` charset first. Servers that re-encode templates get it
wrong; when the bytes are not even valid in the header's encoding, the document's own
declaration (BOM or ``<meta charset>``) is the better witness, then detection.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

__all__ = ["decode_html", "header_encoding"]


def _valid_in(body: bytes, encoding: str | None) -> bool:
    if not encoding:
        return False
    try:
        codecs.decode(body, encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def header_encoding(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header value, if any."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def decode_html(body: bytes, header_encoding: str | None) -> str:
    """The page's text, trusting the header only when the bytes are valid in its encoding."""
    header = resolve_encoding(header_encoding) if header_encoding else None
    if header and not _valid_in(body, header):
        declared = html_body_declared_encoding(body)
        if declared and _valid_in(body, resolve_encoding(declared)):
            header = None  # the document's own declaration wins over a header that lies
    content_type = f"text/html; charset={header}" if header else None
    _, text = html_to_unicode(content_type, body)
    return text
