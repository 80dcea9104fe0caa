"""The statistical recogniser: a spaCy pipeline's named-entity component.

The pipeline is the ``ner_model`` setting (``NEWSLOOM_NER_MODEL``), an installed spaCy
package; by default a re-upload of Explosion's en_core_web_sm 3.8.0 (see docs/decisions.md).
It is loaded once per process, on first use, with only the components its entity
recogniser needs, and texts go through ``nlp.pipe`` together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language

from newsloom.errors import NewsloomError
from newsloom.schema import EntityType
from newsloom.settings import get_settings

__all__ = [
    "ModelMention",
    "NerModelMissingError",
    "load_model",
    "model_language",
    "model_name",
    "recognise",
]

# Components that tag, parse or lemmatise: the entity recogniser reads none of them.
_UNUSED = ("tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "morphologizer")
# OntoNotes labels (the spaCy English pipelines') to ours; FAC (buildings, airports, roads)
# are places to a reader. Nationalities (NORP) come as places marked ``nationality``: the
# canonical layer counts a country's demonym toward it and drops the other groups.
_NATIONALITY = "NORP"
LABELS: dict[str, EntityType] = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    _NATIONALITY: "place",
}


class NerModelMissingError(NewsloomError):
    """The configured spaCy pipeline is not installed."""


@dataclass(frozen=True)
class ModelMention:
    """A span the model labelled, by character offsets into the text it was given."""

    type: EntityType
    start: int
    end: int
    nationality: bool = False  # labelled NORP: "Thai", "Republicans", "Muslims"


@cache
def model_name() -> str:
    """The configured pipeline's name, read once per process like the pipeline itself:
    reading the settings costs milliseconds, and every article asks."""
    return get_settings().ner_model


@cache
def load_model() -> Language:
    """The configured pipeline with only what named-entity recognition needs."""
    name = model_name()
    try:
        nlp = spacy.load(name, exclude=list(_UNUSED))
    except OSError as error:
        raise NerModelMissingError(
            f"the spaCy pipeline {name!r} (setting ner_model, env NEWSLOOM_NER_MODEL) is not "
            f"installed: install its package (uv sync installs the default one) or set "
            f"NEWSLOOM_NER_MODEL to an installed pipeline ({error})"
        ) from None
    if "ner" not in nlp.pipe_names:
        raise NerModelMissingError(
            f"the spaCy pipeline {name!r} (NEWSLOOM_NER_MODEL) has no 'ner' component; "
            "choose a pipeline that recognises entities"
        )
    for shared in ("tok2vec", "transformer"):
        # A shared embedding layer is needed only if the recogniser listens to it (in the
        # small English pipeline the recogniser has its own).
        if shared in nlp.pipe_names:
            listeners = getattr(nlp.get_pipe(shared), "listening_components", [])
            if "ner" not in listeners:
                nlp.remove_pipe(shared)
    return nlp


def model_language() -> str:
    """The language code of the configured pipeline (read from its package, not loaded)."""
    return _meta_language(model_name())


@cache
def _meta_language(name: str) -> str:
    try:
        meta = spacy.util.get_package_path(name) / "meta.json"
        return str(json.loads(meta.read_text(encoding="utf-8"))["lang"])
    except (OSError, ModuleNotFoundError, KeyError, ValueError):
        return str(load_model().lang)  # raises the missing-model error with the setting


# spaCy refuses texts over nlp.max_length (1,000,000 characters) and its memory grows with a
# text's length; a long page is read in paragraph-aligned pieces well under that.
_PIECE_CHARS = 50_000


def _pieces(text: str) -> list[tuple[int, str]]:
    """``text`` cut at line breaks (or spaces) into pieces of at most ``_PIECE_CHARS``."""
    pieces, start = [], 0
    while len(text) - start > _PIECE_CHARS:
        limit = start + _PIECE_CHARS
        cut = text.rfind("\n", start, limit)
        if cut <= start:
            cut = text.rfind(" ", start, limit)
        cut = limit if cut <= start else cut + 1
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


def recognise(texts: Sequence[str]) -> list[list[ModelMention]]:
    """The model's entity spans in each of ``texts``, labels mapped to ours."""
    nlp = load_model()
    owners = [(index, offset, piece) for index, text in enumerate(texts)
              for offset, piece in _pieces(text)]  # fmt: skip
    found: list[list[ModelMention]] = [[] for _ in texts]
    docs = nlp.pipe(piece for _, _, piece in owners)
    for (index, offset, _), doc in zip(owners, docs, strict=True):
        found[index].extend(
            ModelMention(
                LABELS[ent.label_],
                offset + ent.start_char,
                offset + ent.end_char,
                nationality=ent.label_ == _NATIONALITY,
            )
            for ent in doc.ents
            if ent.label_ in LABELS
        )
    return found
