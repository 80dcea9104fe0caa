"""Decode a fetched page even when its HTTP header or its ``<meta charset>`` lies.

Scrapy trusts the ``Content-Type`` charset first, w3lib the document's declaration next.
Servers that re-encode templates get either wrong. Bytes that are valid UTF-8 with any
non-ASCII byte are read as UTF-8 (text in a legacy encoding almost never is, and a template
that copied a legacy declaration is the usual lie). Otherwise, when header and meta agree
and the bytes are valid in that encoding, it is used; when they disagree or the bytes are
not valid in it, charset-normalizer judges from the bytes, and a declared encoding that reads
them the same way as its verdict wins the tie.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    read_bom,
    resolve_encoding,
)

__all__ = ["decode_html", "header_encoding", "page_encoding"]

_UTF8 = "utf-8"


def _valid_in(body: bytes, encoding: str | None) -> bool:
    if not encoding:
        return False
    try:
        codecs.decode(body, encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _codec_name(encoding: str) -> str:
    """One spelling per codec, so ``cp1251`` and ``windows-1251`` compare equal."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def header_encoding(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header value, if any."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def page_encoding(body: bytes, header_encoding: str | None) -> str | None:
    """The encoding to read ``body`` in; None leaves the choice to w3lib (a BOM, no text)."""
    if read_bom(body)[0]:
        return None  # a byte order mark is the bytes themselves speaking
    declared = [
        resolved
        for name in (header_encoding, html_body_declared_encoding(body))
        if name and (resolved := resolve_encoding(name))
    ]
    if not body.isascii() and _valid_in(body, _UTF8):
        return _UTF8  # even when both declarations agree on a legacy encoding: they copied
    names = {_codec_name(name) for name in declared}
    if len(names) == 1 and _valid_in(body, declared[0]):
        return declared[0]
    valid = [name for name in declared if _valid_in(body, name)]
    best = from_bytes(body).best()
    if best is None:
        return valid[0] if valid else None
    same_text = {_codec_name(name) for name in best.could_be_from_charset}
    for name in valid:
        if _codec_name(name) in same_text:
            return name
    return str(best.encoding)


def decode_html(body: bytes, header_encoding: str | None) -> str:
    """The page's text in the encoding :func:`page_encoding` settles on."""
    encoding = page_encoding(body, header_encoding)
    content_type = f"text/html; charset={encoding}" if encoding else None
    _, text = html_to_unicode(content_type, body)
    return text
