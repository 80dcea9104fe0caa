"""Language identification offline, on headlines as short as the region's outlets write."""

from __future__ import annotations

import pytest

from tests.workers.seeds import plain_article
from workers.enrichment.language import identify_language, language_of


@pytest.mark.parametrize(
    ("headline", "language"),
    [
        ("북한, 신형 순항미사일 시험발사", "ko"),
        ("北朝鮮が弾道ミサイルを発射", "ja"),
        ("朝鲜外相崔善姬会见孙卫东", "zh"),
        ("Северная Корея запустила ракету", "ru"),
        ("Україна отримала ракети", "uk"),
        ("Nordkorea testet neue Rakete", "de"),
        ("North Korea fires a missile", "en"),
    ],
)
def test_short_headlines(headline: str, language: str) -> None:
    assert language_of(headline) == language


def test_a_declared_language_wins_over_a_guess_on_very_short_text() -> None:
    article = identify_language(plain_article("", title="Hwasong", language="ko"))
    assert article.language == "ko"
    assert article.enrichment.stage_versions["language"]


def test_text_decides_when_there_is_enough_of_it() -> None:
    body = "Pyongyang announced the test of a new cruise missile on Friday morning."
    assert (
        identify_language(plain_article(body, title="Missile test", language="ko")).language == "en"
    )
