"""The fixture site's seed pages come out of the whole body pipeline clean and complete."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from crawler.extraction.fields import extract_fields
from newsloom.settings import get_settings
from ops.dev.fixture_site.pages import (
    OUTLET_IDS,
    SEED_OUTLETS,
    build_outlets,
    expected_articles,
)

# What the seed pages carry inline in their article container besides the article.
SEED_BOILERPLATE = (
    "Advertisement",
    "Get more with myNEWS",
    "A personalised news feed",
    "Learn more",
    "Read more:",
    "03:56",
    "Seoul functions as US 'colonial stooge'",
)
# A word of each seed's own text that must survive the clean-up.
SEED_WORD = {"almayadeen": "Pulhwasal", "scmp": "Haeil"}


def _seed_pages() -> dict[str, tuple[str, str]]:
    """Each seed outlet's article page as (url, html), built as the fixture site serves it."""
    origins = {outlet: f"http://127.0.0.1:{8100 + n}" for n, outlet in enumerate(OUTLET_IDS)}
    outlets = build_outlets(get_settings().shared_dir, origins)
    pages = {}
    for spec in SEED_OUTLETS:
        (article,) = expected_articles()[spec.id]
        resource = outlets[spec.id].resources[unquote(article.path)]
        pages[spec.id] = (origins[spec.id] + article.path, resource.body.decode("utf-8"))
    return pages


@pytest.fixture(scope="module")
def seed_bodies() -> dict[str, str]:
    return {outlet: extract_fields(html, url).body for outlet, (url, html) in _seed_pages().items()}


@pytest.mark.parametrize("outlet", sorted(SEED_WORD))
def test_seed_body_keeps_the_article_and_drops_its_boilerplate(
    seed_bodies: dict[str, str], outlet: str
) -> None:
    body = seed_bodies[outlet]
    assert SEED_WORD[outlet] in body
    assert [snippet for snippet in SEED_BOILERPLATE if snippet in body] == []
