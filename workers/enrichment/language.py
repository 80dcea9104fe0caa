"""Language identification, offline (py3langid ships its model in the wheel).

The classifier is limited to languages news sites publish in: on a short headline the full
97-language model picks near neighbours (Wu for Mandarin, Breton for German), which a closed
set of news languages avoids.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from newsloom.schema import Article
from workers.enrichment.stage import record

__all__ = ["NEWS_LANGUAGES", "VERSION", "identify_language", "language_of"]

VERSION = "py3langid-3-news"
NEWS_LANGUAGES = (
    "ar", "bg", "bn", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi",
    "hr", "hu", "id", "it", "ja", "ka", "kk", "ko", "lt", "lv", "ms", "nl", "no", "pl", "pt",
    "ro", "ru", "sk", "sl", "sr", "sv", "th", "tl", "tr", "uk", "ur", "vi", "zh",
)  # fmt: skip
# Below this many words the classifier guesses; a language the page declared is better.
_MIN_WORDS = 5
# The opening of a page settles its language; classifying a whole 600 kB page took 4 s.
_MAX_CHARS = 10_000


@cache
def _identifier() -> LanguageIdentifier:
    # Loaded once per process: the model is read-only after this. ``set_languages`` keeps
    # the whole 97-language table beside the news languages' columns (27 MiB, to allow a
    # reset we never make); an identifier built from the restricted model alone drops it.
    full = LanguageIdentifier.from_model_file(MODEL_FILE)
    full.set_languages(list(NEWS_LANGUAGES))
    return LanguageIdentifier(
        full.nb_ptc, full.nb_pc, full.nb_classes, full.tk_nextmove, full.tk_output,
        tk_row=full.tk_row,
    )  # fmt: skip


def language_of(text: str) -> str:
    """ISO 639-1 code of the language ``text`` is written in."""
    language, _score = _identifier().classify(text)
    return str(language)


def identify_language(article: Article) -> Article:
    """Set ``language`` from the title and body text; keeps a page-declared one if text is short."""
    text = f"{article.title}\n{article.body[:_MAX_CHARS]}"
    language = article.language
    if len(text.split()) >= _MIN_WORDS or not language:
        language = language_of(text)
    return record(article, "language", VERSION).model_copy(update={"language": language})
