"""Keywords and topics in the region's languages: real terms from each language's analyser,
no stopwords, and topics from the native cue terms."""

from __future__ import annotations

import pytest

from tests.workers.seeds import plain_article
from workers.enrichment.keywords import extract_keywords
from workers.enrichment.topics import score_topics

# Two sentences each on a missile launch, written the way each language's press writes them.
_LAUNCHES = {
    "ko": "북한이 동해상으로 탄도미사일을 발사했다. "
    "합동참모본부는 탄도미사일이 동해에 떨어졌다고 밝혔다.",
    "ja": "北朝鮮が日本海に弾道ミサイルを発射した。防衛省によると弾道ミサイルは日本海に落下した。",
    "zh": "朝鲜向日本海发射了一枚弹道导弹。韩国军方表示\uff0c这枚弹道导弹落入日本海。",
    "ru": "Северная Корея запустила баллистическую ракету. Это для того, что ракета упала в море, "
    "сообщили военные; ракеты такого типа уже испытывались.",
}
_EXPECTED_TERM = {"ko": "탄도미사일", "ja": "弾道ミサイル", "zh": "弹道导弹", "ru": "ракета"}
_METHOD = {
    "ko": "mecab-ko-dic-nouns",
    "ja": "mecab-unidic-lite-nouns",
    "zh": "jieba-rs-nouns",
    "ru": "pymorphy3-nouns",
}


@pytest.mark.parametrize("language", sorted(_LAUNCHES))
def test_keywords_are_the_languages_terms(language: str) -> None:
    enrichment = extract_keywords(plain_article(_LAUNCHES[language], language=language)).enrichment
    terms = [keyword.term for keyword in enrichment.keywords]
    assert terms[0] == _EXPECTED_TERM[language], terms
    # No particle-laden words ("탄도미사일을"), stopwords ("что", "для") or clauses.
    assert all(term in _LAUNCHES[language].casefold() or language == "ru" for term in terms)
    assert not {"что", "для", "это"} & set(terms)
    assert enrichment.methods["keywords"] == _METHOD[language]


def test_a_spaced_language_without_an_analyser_drops_its_stopwords() -> None:
    body = "Die Rakete und die Rakete und der Start und der Start."
    enrichment = extract_keywords(plain_article(body, language="de")).enrichment
    assert {keyword.term for keyword in enrichment.keywords} == {"rakete", "start"}
    assert enrichment.methods["keywords"] == "words+stopwords-de"


@pytest.mark.parametrize("language", sorted(_LAUNCHES))
def test_native_cue_terms_give_topics(language: str) -> None:
    labels = [topic.label for topic in score_topics(_LAUNCHES[language], language=language)]
    assert labels[0] == "weapons-tests", labels


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("駅前のパン屋は毎朝焼きたてのパンを売っている。", "ja"),
        ("这家面包店每天早上卖新鲜面包。", "zh"),
        ("이 빵집은 매일 아침 갓 구운 빵을 판다.", "ko"),
        ("Эта пекарня каждое утро продаёт свежий хлеб.", "ru"),
    ],
)
def test_unrelated_native_text_gets_no_security_topics(text: str, language: str) -> None:
    assert score_topics(text, language=language) == []
