"""Enrichment data loaded once in the worker's main process, before the prefork pool forks.

Every enrichment model is read-only after loading: the language identifier, the spaCy
pipeline, the watch list, the place index, the embedding table, and the Korean, Japanese,
Chinese and Russian analysers. Loaded lazily in each pool child, each child held its own
copy (about 600 MiB per child with all the languages). Loaded in the main process, the
children inherit the pages copy-on-write and share them; a child replaced after a time
limit or ``--max-tasks-per-child`` starts warm instead of loading everything again.

Loading means running the whole pipeline once on a short text in each language the worker
serves (``NEWSLOOM_WORKER_LANGUAGES``, see workers.routing), so no loader is forgotten when a
stage gains one. Then the loaded objects are moved out of the garbage collector's reach
(``gc.freeze``): a collection in a child would otherwise write to every object's header and
copy the pages it means to share.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Collection
from typing import Any

from celery import signals

from newsloom.queues import LANGUAGE_GROUPS, language_group
from newsloom.schema import Article
from newsloom.settings import get_settings
from workers.routing import served_groups

__all__ = ["SAMPLES", "preload"]

logger = logging.getLogger(__name__)

# A few sentences per language the pipeline reads with its own analyser: enough words for
# the language identifier to be sure, and names of every type for each recogniser.
SAMPLES: dict[str, str] = {
    "en": "North Korean leader Kim Jong Un watched a missile launch near Pyongyang on "
    "Tuesday, the Korean Central News Agency said. Officials in Seoul and Tokyo condemned it.",
    "ko": "윤석열 대통령은 서울에서 기자회견을 열고 북한의 미사일 발사를 규탄했다. "
    "국방부는 일본과 미국과 함께 대응하겠다고 밝혔다.",
    "ja": "韓国の尹大統領は東京で記者会見を開き、北朝鮮のミサイル発射を非難した。"
    "防衛省は米国と協力して対応すると発表した。",
    "zh": "韩国总统尹锡悦在首尔举行记者会见，谴责朝鲜发射导弹。"  # noqa: RUF001 - Chinese punctuation
    "国防部表示将与美国和日本合作应对。",
    "ru": "Президент Южной Кореи Юн Сок Ёль осудил запуск ракеты Северной Кореей. "
    "Министерство обороны заявило, что будет действовать вместе с США и Японией.",  # noqa: RUF001
}


def preload(groups: Collection[str] = LANGUAGE_GROUPS) -> None:
    """Load the enrichment models and dictionaries of the language ``groups`` in this
    process, then freeze them."""
    from workers.enrichment.pipeline import enrich  # the heavy imports, only when preloading

    started = time.monotonic()
    for language, text in SAMPLES.items():
        if language_group(language) not in groups:
            continue
        enrich(
            Article(
                url=f"http://127.0.0.1/preload/{language}",
                canonical_url=f"http://127.0.0.1/preload/{language}",
                source_id="preload",
                source_name="preload",
                title="",
                body=text,
                language=language,
            )
        )
    gc.collect()
    gc.freeze()
    logger.info(
        "enrichment models of %s loaded before the fork in %.1f s",
        ", ".join(groups), time.monotonic() - started,
    )  # fmt: skip


@signals.worker_init.connect
def _preload_before_fork(sender: Any = None, **_: Any) -> None:
    """In the worker's main process, before the pool forks (``NEWSLOOM_WORKER_PRELOAD``)."""
    settings = get_settings()
    if settings.worker_preload:
        preload(served_groups(settings))
