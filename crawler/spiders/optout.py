"""Page-level AI opt-outs: the ``noai`` robots directive in a meta tag or ``X-Robots-Tag``.

``noai`` (and ``noimageai`` for images) is the directive publishers use to refuse AI use of
a page. Our enrichment runs models over every article, so a page that declares it is not
turned into an article; robots.txt groups of AI training agents are handled by
:mod:`crawler.middlewares.robots`.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

__all__ = ["declares_noai"]

_DIRECTIVE = re.compile(r"[\s,]+")
_ROBOTS_META = (
    "//meta[translate(@name, 'ROBTS', 'robts')='robots'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')='newsloom']"
    "/@content"
)


def _says_noai(value: str) -> bool:
    # "X-Robots-Tag: otherbot: noindex" names another crawler; directives for all have no name.
    if ":" in value.split(",")[0]:
        return False
    return "noai" in {token.lower() for token in _DIRECTIVE.split(value) if token}


def declares_noai(x_robots_tag: str, body: bytes) -> bool:
    """Whether the response header or the page's robots meta tag says ``noai``."""
    if any(_says_noai(value) for value in x_robots_tag.split("\n") if value):
        return True
    if b"noai" not in body.lower():
        return False  # the common case, without parsing the page
    try:
        tree = lxml_html.fromstring(body)
    except (ValueError, etree.ParserError):
        return False  # not a parsable page: it declares nothing
    return any(_says_noai(str(content)) for content in tree.xpath(_ROBOTS_META))
