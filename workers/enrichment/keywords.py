"""Keywords: the terms that characterise an article, weighted.

Term frequency over content words, with entity names counted as single terms (so "North
Korea" is one keyword, not "north" and "korea") and boosted, because analysts navigate by
names. Scores are relative to the top term (1.0).

What a term is depends on the language. Spaced languages take their words less the
language's stopwords (stopwords-iso lists, plus the English list the other stages share).
Korean, Japanese and Chinese take the nouns their analyser finds, a run of nouns written
together as one term (弾道ミサイル, 합동참모본부); Russian takes nouns in their dictionary form
(ракета for ракеты, ракетой). Which method ran is recorded on the article.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import stopwordsiso

from newsloom.schema import Article, Keyword
from workers.enrichment.gazetteer import normalise
from workers.enrichment.segment import METHODS, Word, segment
from workers.enrichment.stage import record
from workers.enrichment.text import STOPWORDS, content_words

__all__ = ["VERSION", "extract_keywords", "terms"]

VERSION = "keywords-tf-2"
_ENTITY_BOOST = 1.5
_TITLE_BOOST = 2.0
_LIMIT = 12
# Nouns written together longer than this are a clause the analyser could not split. jieba's
# words are already compounds (弹道导弹), and Chinese writes every noun against the next.
_MAX_COMPOUND = {"zh": 1, "ru": 1}
_DEFAULT_MAX_COMPOUND = 3
_MIN_LENGTH = {"ko": 2, "ja": 2, "zh": 2}
_DEFAULT_MIN_LENGTH = 3


@cache
def _stopwords(language: str | None) -> frozenset[str]:
    """The language's stopwords-iso list with the shared English one (English: that alone,
    which the English keywords were tuned with)."""
    if language and language != "en" and stopwordsiso.has_lang(language):
        return frozenset(stopwordsiso.stopwords(language)) | STOPWORDS
    return STOPWORDS


def _compounds(words: tuple[Word, ...], language: str) -> list[str]:
    """Runs of contiguous nouns as terms; Chinese and Russian nouns one by one."""
    found: list[str] = []
    run: list[Word] = []
    longest = _MAX_COMPOUND.get(language, _DEFAULT_MAX_COMPOUND)

    def close() -> None:
        if run and len(run) <= longest:
            found.append("".join(word.term for word in run))
        run.clear()

    for word in words:
        joined = longest > 1 and bool(run) and run[-1].end == word.start
        if not word.noun or not joined:
            close()
        if word.noun:
            run.append(word)
    close()
    return found


def terms(text: str, language: str | None) -> tuple[list[str], str]:
    """The content terms of ``text`` in order, and the name of the method that found them."""
    stopwords = _stopwords(language)
    words = segment(text, language)
    if words is None or language is None:
        method = "words+stopwords-en" if stopwords is STOPWORDS else f"words+stopwords-{language}"
        return [word for word in content_words(text) if word not in stopwords], method
    minimum = _MIN_LENGTH.get(language, _DEFAULT_MIN_LENGTH)
    found = [
        term
        for term in _compounds(words, language)
        if len(term) >= minimum and term not in stopwords and not term.isdigit()
    ]
    return found, f"{METHODS[language]}-nouns"


def extract_keywords(article: Article) -> Article:
    """Set ``enrichment.keywords``; runs after the entities stage and reuses its names."""
    language = article.language
    counts: defaultdict[str, float] = defaultdict(float)
    body_terms, method = terms(article.body, language)
    for term in body_terms:
        counts[term] += 1
    for term in terms(article.title, language)[0]:
        counts[term] += _TITLE_BOOST
    # Terms inside entity names are already counted through the entity.
    for entity in article.enrichment.entities:
        for surface in entity.surface_forms:
            for term in terms(surface, language)[0]:
                counts[term] -= entity.mentions
        counts[entity.name] += entity.mentions * _ENTITY_BOOST
    ranked = sorted(
        ((term, score) for term, score in counts.items() if score > 1),
        key=lambda item: (-item[1], normalise(item[0])),
    )[:_LIMIT]
    top = ranked[0][1] if ranked else 1.0
    keywords = [Keyword(term=term, score=round(score / top, 3)) for term, score in ranked]
    methods = {**article.enrichment.methods, "keywords": method}
    return record(article, "keywords", VERSION, keywords=keywords, methods=methods)
