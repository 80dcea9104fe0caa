"""The article body: the page tree the main-content extractor reads, and the clean-up after it.

``fields.py`` parses the page once with :func:`parse_page` (which prepares the tree and marks
what is not the article), hands the tree to trafilatura, and finishes trafilatura's text with
:func:`finish_body`, in this order:

1. a page rendered by script gets its text from the framework payload (``flight_data.py``),
   and one split into containers of one kind is read to its end (``continued_body.py``);
2. paragraph-level boilerplate goes (``boilerplate.py``), and furniture under the story
   (``edges.py``);
3. the declared JSON-LD ``articleBody`` confirms, prunes or completes it (``declared_body.py``);
4. headline, kicker, header lines and a standalone lead go from the top (``heading.py``), checked
   against the tree, then bylines and dates above the first paragraph (``edges.py``).

Every rule reads a general signal (HTML semantics, standard vocabularies, text shape, or two
sources of the page agreeing) and never names a site.
"""

from __future__ import annotations

from collections.abc import Sequence

import trafilatura
from lxml.html import HtmlElement

from crawler.extraction.boilerplate import clean_body
from crawler.extraction.continued_body import continued_body
from crawler.extraction.declared_body import declared_article_body, reconcile_with_declared
from crawler.extraction.edges import trim_head, trim_tail
from crawler.extraction.embeds import unwrap_embedded_posts
from crawler.extraction.flight_data import flight_html
from crawler.extraction.heading import strip_heading
from crawler.extraction.parsing import parse_html
from crawler.extraction.pruning import PRUNE_XPATH, mark_page
from crawler.extraction.ruby import flatten_ruby

__all__ = ["PRUNE_XPATH", "finish_body", "parse_page"]

# Shorter than this, the extractor found no article: look for one the page renders by script.
_MIN_BODY_CHARS = 200


def parse_page(html: str) -> HtmlElement | None:
    """The page as trafilatura parses it, ready for it (``None`` when nothing parses).

    Embedded posts the article quotes are unwrapped (``embeds.py``), ruby glosses flattened
    into their sentences (``ruby.py``), furniture marked for pruning (``pruning.py``).

    Pass ``prune_xpath=PRUNE_XPATH`` to trafilatura with it. trafilatura copies a tree it is
    given before pruning it, so the same tree can be read again afterwards to see where the
    extracted text sat in the page.
    """
    tree = parse_html(html)
    if not isinstance(tree, HtmlElement):
        return None
    unwrap_embedded_posts(tree)
    flatten_ruby(tree)
    mark_page(tree)
    return tree


def _text_of_flight_payload(tree: HtmlElement) -> str | None:
    """The article text a script-rendered page ships in its framework payload (or ``None``)."""
    html = flight_html(tree)
    if html is None:
        return None
    return trafilatura.extract(f"<html><body><article>{html}</article></body></html>")


def finish_body(
    text: str,
    tree: HtmlElement | None,
    titles: Sequence[str | None],
    description: str | None,
    author_names: Sequence[str] = (),
) -> str:
    """Clean the extractor's ``text`` into the article body, without headline, lead, byline."""
    if len(text) < _MIN_BODY_CHARS and tree is not None:
        text = _text_of_flight_payload(tree) or text
    text = continued_body(text, tree)
    body = trim_tail(clean_body(text), author_names)
    if tree is not None:
        body = reconcile_with_declared(body, declared_article_body(tree), tree)
    body = strip_heading(body, [title for title in titles if title], description, tree)
    return trim_head(body, list(author_names))
