"""Article embeddings for related-article search and story clustering, computed offline.

The model is WordLlama's ``l2_supercat`` at 256 dimensions: a static token-embedding table
(trained from a large language model's input embeddings, MIT licence) with mean pooling. Its
weights and tokenizer ship inside the ``wordllama`` wheel, pinned by ``uv.lock``, so nothing
is downloaded at run time. Chosen over the alternatives on evidence: model2vec and fastembed
download their weights from a model hub on first use; a TF-IDF/LSA model fitted on our small
corpus would know little of the region's vocabulary. On the seeds and the corpus dev pages the
two seeds are each other's nearest article (cosine 0.76; the next-nearest page 0.54).

We read the packaged files with ``safetensors`` and ``tokenizers`` and pool ourselves instead
of calling ``WordLlama.load``: in wordllama 0.4 that loader looks for the packaged tokenizer in
the wrong folder and then tries a download, and importing the ``wordllama`` package calls
``logging.basicConfig``, which would reconfigure a worker's root logger. The pooling (mean of
token vectors, then unit length) is the one ``WordLlamaInference.embed`` does.
Because we read its file layout, ``pyproject.toml`` pins wordllama to one exact version: a
new release is taken on purpose, after checking the layout, never by a lock refresh.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

import numpy as np
import numpy.typing as npt
from safetensors import safe_open
from tokenizers import Tokenizer

from newsloom.schema import Article
from workers.enrichment.stage import record

__all__ = ["DIMENSIONS", "LANGUAGES", "MODEL", "VERSION", "embed_article", "embed_text"]

MODEL = "l2_supercat"
DIMENSIONS = 256
# The model learnt English: any two German pages score 0.9, whatever they are about. Other
# languages get no vector, so related-article search falls back to shared wording for them.
LANGUAGES = frozenset({"en"})
VERSION = (
    f"wordllama-{metadata.version('wordllama')}-{MODEL}-{DIMENSIONS}-{'+'.join(sorted(LANGUAGES))}"
)
# Mean pooling barely moves after the first few thousand tokens; the cap bounds the cost of
# a pathological page (a whole archive extracted as one body).
_MAX_CHARS = 20_000

Vector = npt.NDArray[np.float32]


class _StaticEmbedder:
    """The packaged token table and tokenizer (read-only once loaded)."""

    def __init__(self) -> None:
        # Located through the installed distribution: importing the package would run its
        # ``logging.basicConfig``.
        package = metadata.distribution("wordllama").locate_file("wordllama")
        weights = package / "weights" / f"{MODEL}_{DIMENSIONS}.safetensors"
        with safe_open(str(weights), framework="np") as tensors:
            # Kept in the file's half precision (16 MiB instead of 32): a token's vector is
            # widened exactly to float32 when it is read, so the pooled vector is the same.
            self.table: npt.NDArray[np.float16] = np.ascontiguousarray(
                tensors.get_tensor("embedding.weight"), dtype=np.float16
            )
        tokenizer_file = package / "tokenizers" / f"{MODEL}_tokenizer_config.json"
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def embed(self, text: str) -> Vector:
        ids = self.tokenizer.encode(text[:_MAX_CHARS], add_special_tokens=False).ids
        if not ids:
            return np.zeros(DIMENSIONS, dtype=np.float32)
        rows = self.table[np.clip(ids, 0, len(self.table) - 1)].astype(np.float32)
        pooled: Vector = rows.mean(axis=0)
        norm = float(np.linalg.norm(pooled))
        return pooled / norm if norm else pooled


@cache
def _embedder() -> _StaticEmbedder:
    # One table per process (16 MiB), loaded on first use and never written to.
    return _StaticEmbedder()


def embed_text(text: str) -> Vector:
    """Unit-length embedding of ``text`` (all zeros for text with no tokens)."""
    return _embedder().embed(text)


def embed_article(article: Article) -> Article:
    """Set ``enrichment.embedding`` from the title, lead and body (runs after the language
    stage; articles in other languages than ``LANGUAGES`` get none)."""
    if article.language not in LANGUAGES:
        return record(article, "embeddings", VERSION, embedding=None)
    text = "\n".join(part for part in (article.title, article.lead, article.body) if part)
    vector = [round(float(value), 6) for value in embed_text(text)]
    # Elasticsearch refuses an all-zero vector for cosine similarity, and it means nothing.
    return record(article, "embeddings", VERSION, embedding=vector if any(vector) else None)
