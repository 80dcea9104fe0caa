"""Rendering of search results and article cards for the command line."""

from __future__ import annotations

import re
from collections import defaultdict

from elasticsearch import Elasticsearch
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from newsloom.schema import Article
from search.api.lookups import get_article, near_duplicates, related_articles
from search.query import SearchHit

__all__ = [
    "article_card",
    "find_article_card",
    "hits_table",
]

# The order an analyst scans tags in: who, then which weapons, then where and which bodies.
_ENTITY_ORDER = ("person", "weapon", "place", "organization")

_HIGHLIGHT = re.compile(r"<em>(.*?)</em>")


def _snippet_text(snippet: str) -> Text:
    text = Text()
    position = 0
    for match in _HIGHLIGHT.finditer(snippet):
        text.append(snippet[position : match.start()])
        text.append(match.group(1), style="bold yellow")
        position = match.end()
    text.append(snippet[position:])
    return text


def hits_table(query: str, hits: list[SearchHit]) -> Table:
    """A table of ranked hits with source, date and the highlighted snippet."""
    table = Table(title=f"{len(hits)} result(s) for {query!r}", show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("article", ratio=2)
    table.add_column("source / date", ratio=1)
    table.add_column("snippet", ratio=3)
    for rank, hit in enumerate(hits, start=1):
        date = hit.published_at.date().isoformat() if hit.published_at else "undated"
        title = Text(hit.title, style="bold")
        title.append(f"\n{hit.url}\nid {hit.id}", style="dim")
        table.add_row(str(rank), title, f"{hit.source_name}\n{date}", _snippet_text(hit.snippet))
    return table


def article_card(
    article: Article, related: list[SearchHit], copies: list[SearchHit] | None = None
) -> Panel:
    """One article as an analyst reads it: tags by type, topics, story, related coverage, and
    the other outlets that ran the same text (``copies``)."""
    enrichment = article.enrichment
    by_type: dict[str, list[str]] = defaultdict(list)
    for entity in sorted(enrichment.entities, key=lambda e: -e.mentions):
        by_type[entity.type].append(entity.name)
    tags = Table.grid(padding=(0, 2))
    tags.add_column(style="bold")
    tags.add_column()
    for entity_type in _ENTITY_ORDER:
        if by_type[entity_type]:
            tags.add_row(f"{entity_type}s", ", ".join(by_type[entity_type]))
    if enrichment.countries:
        tags.add_row("countries", ", ".join(enrichment.countries))
    if enrichment.topics:
        tags.add_row("topics", ", ".join(f"{t.label} ({t.score:.2f})" for t in enrichment.topics))
    if enrichment.story_label:
        tags.add_row("story", enrichment.story_label)
    if copies:
        # The group id means nothing to a reader, and every article has one (its own, when
        # no other outlet ran the text): name the outlets instead.
        tags.add_row("also ran", ", ".join(sorted({hit.source_name for hit in copies})))
    parts: list[Text | Table] = [Text(article.url, style="dim")]
    if enrichment.summary:
        parts.append(Text(enrichment.summary, style="italic"))
    parts.append(tags)
    if related:
        parts.append(Text("related coverage", style="bold"))
        for hit in related:
            parts.append(Text(f"  {hit.source_name}: {hit.title}"))
    date = article.published_at.date().isoformat() if article.published_at else "undated"
    return Panel(
        Group(*parts),
        title=f"[bold]{article.title}[/bold]",
        subtitle=f"{article.source_name}, {date}",
    )


def find_article_card(
    es: Elasticsearch, alias: str, article_id: str, related_size: int = 5
) -> Panel | None:
    """The :func:`article_card` of a stored article, or None when no article has that id."""
    stored = get_article(es, alias, article_id)
    if stored is None:
        return None
    article = Article.from_document(stored["_source"])
    related = related_articles(es, alias, stored, related_size)
    return article_card(article, related, near_duplicates(es, alias, stored, related_size))
