"""A declared JSON-LD articleBody that agrees with the extracted body prunes what it disowns."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from crawler.extraction.declared_body import declared_article_body, reconcile_with_declared

ARTICLE = [
    "The two governments agreed on Monday to resume talks about the disputed border crossing.",
    "Negotiators will meet in the capital next week, a spokesman for the ministry told reporters.",
    "Previous rounds broke down last year over the question of who should patrol the crossing.",
    "Analysts said the announcement reflected pressure from traders on both sides of the border.",
]
DECLARED = " ".join(ARTICLE)
NEWSLETTER = "Sign up for our morning newsletter and get the best stories in your inbox every day."


def _page(article_body: object) -> lxml_html.HtmlElement:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": article_body}
    script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return lxml_html.fromstring(f"<html><head>{script}</head><body><p>x</p></body></html>")


def test_reads_the_declared_article_body() -> None:
    assert declared_article_body(_page(DECLARED)) == DECLARED


def test_ignores_a_declared_teaser_too_short_to_be_the_article() -> None:
    assert declared_article_body(_page("A short teaser.")) is None


def test_drops_paragraphs_the_declaration_does_not_hold() -> None:
    body = "\n\n".join([*ARTICLE[:2], NEWSLETTER, *ARTICLE[2:]])
    assert reconcile_with_declared(body, DECLARED) == "\n\n".join(ARTICLE)


def test_keeps_subheadings_the_declaration_leaves_out() -> None:
    body = "\n\n".join([*ARTICLE[:2], "Who patrols the crossing", *ARTICLE[2:]])
    assert reconcile_with_declared(body, DECLARED) == body


def test_changes_nothing_when_the_sources_disagree() -> None:
    other = " ".join(reversed(NEWSLETTER.split())) * 6
    body = "\n\n".join([*ARTICLE, NEWSLETTER])
    assert reconcile_with_declared(body, other) == body


def test_changes_nothing_when_the_declaration_covers_little_of_the_body() -> None:
    more = [
        f"{NEWSLETTER} Item {n} of the reader's digest follows here, as promised." for n in "abcd"
    ]
    body = "\n\n".join([*ARTICLE, *more])
    assert reconcile_with_declared(body, " ".join(ARTICLE[:2])) == body


def test_declared_text_replaces_a_body_the_extractor_cut_short() -> None:
    declared = "\n".join(ARTICLE)
    assert reconcile_with_declared(ARTICLE[0], declared) == "\n\n".join(ARTICLE)


def test_reads_a_body_declared_as_html_as_plain_text() -> None:
    html_body = "".join(f"<p>{line.replace('the', 'the&#160;', 1)}</p>" for line in ARTICLE)
    declared = declared_article_body(_page(html_body))
    assert declared is not None and "<p>" not in declared
    assert reconcile_with_declared(ARTICLE[0], declared).count("\n\n") == len(ARTICLE) - 1


def test_keeps_an_embedded_quote_and_a_subheading_the_declaration_omits() -> None:
    quote = "So grateful for everything you have done for me, good luck my friend and see you soon."
    subheading = "What happened before?"
    paragraphs = [*ARTICLE[:2], subheading, quote, *ARTICLE[2:], NEWSLETTER]
    html = "".join(f"<p>{p}</p>" for p in ARTICLE[:2])
    html += f"<h2>{subheading}</h2><blockquote><p>{quote}</p></blockquote>"
    html += "".join(f"<p>{p}</p>" for p in ARTICLE[2:]) + f"<div>{NEWSLETTER}</div>"
    tree = lxml_html.fromstring(f"<html><body><article>{html}</article></body></html>")
    body = "\n\n".join(paragraphs)
    assert reconcile_with_declared(body, DECLARED, tree) == "\n\n".join(paragraphs[:-1])
    assert reconcile_with_declared(body, DECLARED) == "\n\n".join(ARTICLE)
