"""Let the main-content extractor see posts that an article quotes through an embed.

Stories quote statements posted on social networks by embedding them; the embed code every
publisher pastes is a ``<blockquote class="twitter-tweet">`` holding the post's text. Sites wrap
it in a box whose class says "social" or "embed", and trafilatura discards such boxes as share
bars, losing the quote. Unwrapping the boxes that hold nothing but the post leaves the quote where
the article put it, to be judged by its content like any other block.
"""

from __future__ import annotations

from lxml.html import HtmlElement

__all__ = ["unwrap_embedded_posts"]

_EMBEDDED_POSTS = (
    "//body//blockquote[contains(concat(' ', normalize-space(@class), ' '), ' twitter-tweet ')]"
)
# Embed boxes are shallow: the post, its wrapper, perhaps a responsive container.
_MAX_WRAPPERS = 3
_CONTAINERS = ("body", "main", "article")


def _squeezed(element: HtmlElement) -> str:
    return "".join(element.text_content().split())


def unwrap_embedded_posts(tree: HtmlElement) -> int:
    """Remove the wrappers around embedded posts in ``tree``; return how many were removed."""
    removed = 0
    for post in tree.xpath(_EMBEDDED_POSTS):
        text = _squeezed(post)
        for _ in range(_MAX_WRAPPERS):
            wrapper = post.getparent()
            if wrapper is None or wrapper.tag in _CONTAINERS or _squeezed(wrapper) != text:
                break
            wrapper.drop_tag()
            removed += 1
    return removed
