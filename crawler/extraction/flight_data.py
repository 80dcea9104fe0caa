"""Find the article's HTML in the React Server Components payload of a Next.js page.

Pages built with the Next.js App Router may ship their article only inside the framework's
flight payload: ``<script>self.__next_f.push([1, "..."])</script>`` blocks whose joined strings
hold records like ``24:T1b7b,<p>...</p>``, a text record of 0x1b7b UTF-8 bytes. A browser renders
it with JavaScript; a crawler sees an empty page. When the extractor finds no body, the longest
text record that is HTML with paragraphs is the article's rendered body.
"""

from __future__ import annotations

import json
import re

from lxml.html import HtmlElement

__all__ = ["flight_html"]

_PUSH = re.compile(r"^\s*self\.__next_f\.push\((.*)\)\s*;?\s*$", re.DOTALL)
_TEXT_RECORD = re.compile(rb"(?:^|\n)[0-9a-f]+:T([0-9a-f]+),")
_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)


def _payload(tree: HtmlElement) -> bytes:
    chunks: list[str] = []
    for script in tree.xpath("//script[contains(., 'self.__next_f.push')]"):
        match = _PUSH.match(script.text or "")
        if not match:
            continue
        try:
            record = json.loads(match.group(1))
        except ValueError:
            continue  # a malformed chunk: the others may still hold the article
        if isinstance(record, list) and len(record) > 1 and isinstance(record[1], str):
            chunks.append(record[1])
    return "".join(chunks).encode("utf-8")


def flight_html(tree: HtmlElement) -> str | None:
    """The longest HTML text record with paragraphs in the page's flight payload, if any."""
    payload = _payload(tree)
    best: str | None = None
    for match in _TEXT_RECORD.finditer(payload):
        size = int(match.group(1), 16)  # the record's length in UTF-8 bytes
        text = payload[match.end() : match.end() + size].decode("utf-8", errors="replace")
        if _PARAGRAPH.search(text) and (best is None or len(text) > len(best)):
            best = text
    return best
