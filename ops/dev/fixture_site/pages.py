"""The fixture site's outlets built in memory: every page, feed and sitemap, keyed by path.

``almayadeen`` and ``scmp`` each render one seed article in the style of the site it came
from; ``corpus`` serves the publisher corpus's real pages, except those in Korean, Japanese,
Chinese and Russian, which ``corpus-ko``, ``corpus-ja``, ``corpus-zh`` and ``corpus-ru``
serve. Every outlet also has a homepage and section pages linking its articles, ``/rss.xml``,
``/sitemap.xml`` (an index) pointing at ``/sitemap-news.xml``, ``/robots.txt`` and a
``/private/`` page that robots.txt forbids.
:func:`expected_articles` tells tests which articles a complete crawl must find.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

from newsloom.settings import get_settings
from ops.dev.fixture_site.corpus import CorpusPage, list_corpus, load_page
from ops.dev.fixture_site.feeds import PRIVATE_PATH, discovery_resources
from ops.dev.fixture_site.layout import (
    SiteStyle,
    escape_attr,
    escape_text,
    render_document,
    story_list,
)
from ops.dev.fixture_site.representation import Resource
from ops.dev.fixture_site.seed_render import (
    ArticleMeta,
    SeedArticle,
    parse_seed,
    render_article_page,
)

__all__ = [
    "CORPUS_OUTLET_ID",
    "LANGUAGE_OUTLETS",
    "OUTLET_IDS",
    "SEED_OUTLETS",
    "ArticleEntry",
    "ExpectedArticle",
    "LanguageOutletSpec",
    "Outlet",
    "SeedOutletSpec",
    "build_outlets",
    "expected_articles",
    "slugify",
]

_ARTICLE_CACHE = "public, max-age=300"
_LISTING_CACHE = "public, max-age=60"  # homepages and feeds change often on a news site


@dataclass(frozen=True)
class SeedOutletSpec:
    """An outlet that serves one seed article, and how that outlet lays out its site."""

    id: str
    name: str
    tagline: str
    country: str
    language: str
    seed_prefix: str
    section_name: str
    section_path: str
    article_path: str
    """Format string with ``{section}``, ``{number}`` (from the seed's file name) and ``{slug}``."""
    published: datetime
    author: str
    author_is_person: bool


SEED_OUTLETS: tuple[SeedOutletSpec, ...] = (
    SeedOutletSpec(
        id="almayadeen",
        name="Al Mayadeen English",
        tagline="Realism as it is",
        country="LB",
        language="en",
        seed_prefix="000_",
        section_name="Politics",
        section_path="/news/politics",
        article_path="{section}/{slug}",
        published=datetime(2024, 1, 30, 10, 12, tzinfo=timezone(timedelta(hours=3))),
        author="Al Mayadeen English",
        author_is_person=False,
    ),
    SeedOutletSpec(
        id="scmp",
        name="South China Morning Post",
        tagline="Hong Kong, China, Asia news",
        country="HK",
        language="en",
        seed_prefix="003_",
        section_name="Diplomacy",
        section_path="/news/china/diplomacy",
        article_path="{section}/article/{number}/{slug}",
        published=datetime(2024, 1, 19, 21, 45, tzinfo=timezone(timedelta(hours=8))),
        author="Dewey Sim",
        author_is_person=True,
    ),
)
CORPUS_OUTLET_ID = "corpus"
CORPUS_NAME = "Publisher corpus"


@dataclass(frozen=True)
class LanguageOutletSpec:
    """An outlet serving the corpus pages written in one of the region's languages."""

    id: str
    name: str
    tagline: str
    language: str


# The region's own outlets write in these languages; each gets an outlet of its own, as a
# Korean or Japanese newsroom is a site of its own, and the corpus outlet keeps the rest.
LANGUAGE_OUTLETS: tuple[LanguageOutletSpec, ...] = (
    LanguageOutletSpec(
        "corpus-ko", "한국어 뉴스 (publisher corpus)", "한국 언론의 실제 기사", "ko"
    ),
    LanguageOutletSpec(
        "corpus-ja", "日本語ニュース (publisher corpus)", "日本の報道機関の記事", "ja"
    ),
    LanguageOutletSpec("corpus-zh", "中文新闻 (publisher corpus)", "中文媒体的真实报道", "zh"),
    LanguageOutletSpec("corpus-ru", "Новости на русском (publisher corpus)", "Статьи СМИ", "ru"),
)
OUTLET_IDS: tuple[str, ...] = (
    *(spec.id for spec in SEED_OUTLETS),
    CORPUS_OUTLET_ID,
    *(spec.id for spec in LANGUAGE_OUTLETS),
)


@dataclass(frozen=True)
class ArticleEntry:
    """An article as listings, feeds and sitemaps show it."""

    path: str
    title: str
    published: datetime
    publisher: str
    language: str
    section_path: str
    teaser: str


@dataclass(frozen=True)
class Outlet:
    """One outlet: what it is and every resource it serves, keyed by decoded path."""

    id: str
    name: str
    country: str | None
    languages: tuple[str, ...]
    origin: str
    resources: Mapping[str, Resource]
    not_found_page: bytes


@dataclass(frozen=True)
class ExpectedArticle:
    """An article a complete crawl of an outlet must find."""

    path: str
    title: str


def slugify(text: str) -> str:
    """A URL slug: ASCII, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _seed(shared_dir: Path, spec: SeedOutletSpec) -> tuple[SeedArticle, str]:
    """The outlet's parsed seed and its article path."""
    matches = sorted((shared_dir / "seeds").glob(f"{spec.seed_prefix}*.txt"))
    if len(matches) != 1:
        raise FileNotFoundError(f"want one seed {spec.seed_prefix}*.txt in {shared_dir / 'seeds'}")
    article = parse_seed(matches[0].read_text(encoding="utf-8"))
    # Seed files are named <n>_<hex digest>; the digest gives a stable numeric article id.
    number = int(matches[0].stem.rsplit("_", 1)[-1][:8], 16) % 10_000_000
    path = spec.article_path.format(
        section=spec.section_path, number=number, slug=slugify(article.title)
    )
    return article, path


def _html(body: bytes, last_modified: datetime, cache_control: str) -> Resource:
    return Resource(body, "text/html", last_modified, cache_control=cache_control)


def _listing_pages(
    style: SiteStyle,
    *,
    heading: str,
    articles: Sequence[ArticleEntry],
    sections: Sequence[tuple[str, str]],
) -> dict[str, bytes]:
    """Homepage (all stories, every section) and one page per (name, path) section."""

    def stories(entries: Sequence[ArticleEntry]) -> str:
        return story_list([(entry.path, entry.title, entry.teaser) for entry in entries])

    section_links = "".join(
        f'<li><a href="{escape_attr(path)}">{escape_text(name)}</a></li>' for name, path in sections
    )
    pages = {
        "/": render_document(
            style,
            title=f"{heading} | {style.tagline}",
            main=(
                f'<h1 class="site-title">{escape_text(heading)}</h1>'
                f'<section class="top-stories"><h2>Latest</h2>{stories(articles)}</section>'
                f'<section class="sections"><h2>Sections</h2><ul>{section_links}</ul></section>'
            ),
        )
    }
    for name, path in sections:
        members = [entry for entry in articles if entry.section_path == path]
        pages[path] = render_document(
            style,
            title=f"{name} | {heading}",
            main=f'<h1 class="section-title">{escape_text(name)}</h1>{stories(members)}',
        )
    return pages


def _assemble(
    *,
    outlet_id: str,
    country: str | None,
    languages: tuple[str, ...],
    origin: str,
    style: SiteStyle,
    articles: Sequence[ArticleEntry],
    article_pages: Mapping[str, Resource],
    sections: Sequence[tuple[str, str]],
) -> Outlet:
    """Add what every outlet has around its articles: listings, feeds, robots, private page."""
    name = style.name
    articles = sorted(articles, key=lambda entry: entry.published, reverse=True)
    updated = articles[0].published
    listings = _listing_pages(style, heading=name, articles=articles, sections=sections)
    resources = {path: _html(body, updated, _LISTING_CACHE) for path, body in listings.items()}
    for path, resource in article_pages.items():
        resources[unquote(path)] = resource
    resources.update(
        discovery_resources(
            origin=origin,
            title=name,
            description=style.tagline,
            language=languages[0] if languages else "mul",
            entries=articles,
            updated=updated,
            cache_control=_LISTING_CACHE,
        )
    )
    resources[PRIVATE_PATH] = _html(
        render_document(
            style,
            title=f"Staff area | {name}",
            head='<meta name="robots" content="noindex, nofollow">',
            main="<h1>Staff area</h1><p>Drafts and embargoed copy. robots.txt forbids this.</p>",
        ),
        updated,
        "private, no-store",
    )
    not_found = render_document(
        style,
        title=f"Page not found | {name}",
        main='<h1>Page not found</h1><p>No such page. <a href="/">Back to the homepage</a>.</p>',
    )
    return Outlet(
        id=outlet_id,
        name=name,
        country=country,
        languages=languages,
        origin=origin,
        resources=resources,
        not_found_page=not_found,
    )


def _seed_outlet(shared_dir: Path, spec: SeedOutletSpec, origin: str) -> Outlet:
    article, path = _seed(shared_dir, spec)
    style = SiteStyle(
        name=spec.name,
        language=spec.language,
        nav=(("Home", "/"), (spec.section_name, spec.section_path)),
        tagline=spec.tagline,
        copyright_year=spec.published.year,
    )
    meta = ArticleMeta(
        url=origin + path,
        published=spec.published,
        author=spec.author,
        author_is_person=spec.author_is_person,
        publisher=spec.name,
        publisher_url=f"{origin}/",
        section=spec.section_name,
        language=spec.language,
    )
    page = render_article_page(
        article, meta, style, lambda headline: f"{spec.section_path}/{slugify(headline)}"
    )
    entry = ArticleEntry(
        path=path,
        title=article.title,
        published=spec.published,
        publisher=spec.name,
        language=spec.language,
        section_path=spec.section_path,
        teaser=article.description,
    )
    return _assemble(
        outlet_id=spec.id,
        country=spec.country,
        languages=(spec.language,),
        origin=origin,
        style=style,
        articles=[entry],
        article_pages={path: _html(page, spec.published, _ARTICLE_CACHE)},
        sections=[(spec.section_name, spec.section_path)],
    )


def _corpus_pages(shared_dir: Path) -> dict[str | None, list[CorpusPage]]:
    """The corpus pages by the outlet serving them: a language outlet's id, else ``None``."""
    by_language = {spec.language: spec.id for spec in LANGUAGE_OUTLETS}
    grouped: dict[str | None, list[CorpusPage]] = {}
    for entry in list_corpus(shared_dir):
        page = load_page(entry)
        grouped.setdefault(by_language.get(page.language or ""), []).append(page)
    return grouped


def _corpus_outlet(
    pages: Sequence[CorpusPage],
    origin: str,
    *,
    outlet_id: str,
    style: SiteStyle,
    languages: tuple[str, ...],
) -> Outlet:
    articles: list[ArticleEntry] = []
    article_pages: dict[str, Resource] = {}
    for page in pages:
        entry = page.entry
        articles.append(
            ArticleEntry(
                path=entry.path,
                title=entry.title,
                published=entry.published,
                publisher=entry.publisher,
                language=page.language or "und",
                section_path=f"/{entry.country}/",
                teaser=entry.publisher,
            )
        )
        article_pages[entry.path] = Resource(
            page.html,
            "text/html",
            entry.published,
            charset=page.charset,
            cache_control=_ARTICLE_CACHE,
            precompressed=page.gzipped,
        )
    countries = sorted({entry.section_path for entry in articles})
    return _assemble(
        outlet_id=outlet_id,
        country=None,
        languages=languages,
        origin=origin,
        style=style,
        articles=articles,
        article_pages=article_pages,
        sections=[(path.strip("/").upper(), path) for path in countries],
    )


def _corpus_outlets(shared_dir: Path, origins: Mapping[str, str]) -> dict[str, Outlet]:
    """The corpus outlet and one outlet per :data:`LANGUAGE_OUTLETS` language."""
    grouped = _corpus_pages(shared_dir)
    year = max(page.entry.published.year for pages in grouped.values() for page in pages)
    style = SiteStyle(
        name=CORPUS_NAME,
        language="en",
        nav=(("Home", "/"),),
        tagline="Real news pages from publishers in many countries",
        copyright_year=year,
    )
    corpus = _corpus_outlet(
        grouped[None],
        origins[CORPUS_OUTLET_ID],
        outlet_id=CORPUS_OUTLET_ID,
        style=style,
        languages=(),
    )
    outlets = {CORPUS_OUTLET_ID: corpus}
    for spec in LANGUAGE_OUTLETS:
        style = SiteStyle(
            name=spec.name,
            language=spec.language,
            nav=(("Home", "/"),),
            tagline=spec.tagline,
            copyright_year=year,
        )
        outlets[spec.id] = _corpus_outlet(
            grouped.get(spec.id, []),
            origins[spec.id],
            outlet_id=spec.id,
            style=style,
            languages=(spec.language,),
        )
    return outlets


def build_outlets(shared_dir: Path, origins: Mapping[str, str]) -> dict[str, Outlet]:
    """Every outlet in :data:`OUTLET_IDS`, its links absolute to ``origins[id]`` (no slash)."""
    outlets = {spec.id: _seed_outlet(shared_dir, spec, origins[spec.id]) for spec in SEED_OUTLETS}
    outlets.update(_corpus_outlets(shared_dir, origins))
    return outlets


def expected_articles(shared_dir: Path | None = None) -> dict[str, list[ExpectedArticle]]:
    """Per outlet id, every article path (percent-encoded, as linked) and its known title.

    ``shared_dir`` defaults to the ``shared_dir`` setting, the data the server reads too.
    """
    shared_dir = shared_dir or get_settings().shared_dir
    expected: dict[str, list[ExpectedArticle]] = {}
    for spec in SEED_OUTLETS:
        article, path = _seed(shared_dir, spec)
        expected[spec.id] = [ExpectedArticle(path, article.title)]
    grouped = _corpus_pages(shared_dir)
    for outlet_id in (CORPUS_OUTLET_ID, *(spec.id for spec in LANGUAGE_OUTLETS)):
        pages = grouped.get(None if outlet_id == CORPUS_OUTLET_ID else outlet_id, [])
        expected[outlet_id] = [ExpectedArticle(p.entry.path, p.entry.title) for p in pages]
    return expected
