"""Language groups: what a worker serving some of them consumes, enriches and passes on."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from newsloom.queues import (
    ANALYSED_LANGUAGES,
    ENRICH_QUEUE,
    INDEX_QUEUE,
    LANGUAGE_GROUPS,
    language_group,
)
from newsloom.settings import Settings
from workers.enrichment.segment import METHODS
from workers.preload import SAMPLES
from workers.routing import forward_queue, worker_queues


def test_the_analysed_languages_are_those_with_an_analyser() -> None:
    assert set(ANALYSED_LANGUAGES) == set(METHODS)


def test_every_group_has_a_preload_sample() -> None:
    assert {language_group(language) for language in SAMPLES} == set(LANGUAGE_GROUPS)


def test_english_unknown_and_unanalysed_languages_share_the_other_group() -> None:
    assert [language_group(code) for code in ("en", None, "fr", "ja", "ru")] == [
        "other", "other", "other", "ja", "ru",
    ]  # fmt: skip


def test_the_setting_reads_comma_separated_groups_and_round_trips() -> None:
    settings = Settings(worker_languages="ja, ko")  # type: ignore[arg-type]
    assert settings.worker_languages == ("ja", "ko")
    assert settings.as_environment()["NEWSLOOM_WORKER_LANGUAGES"] == "ja,ko"


def test_an_unknown_group_is_refused_naming_the_setting_and_the_choices() -> None:
    with pytest.raises(ValidationError, match="NEWSLOOM_WORKER_LANGUAGES names en: use groups"):
        Settings(worker_languages="en")  # type: ignore[arg-type]


def test_a_worker_of_every_group_consumes_every_queue_and_passes_nothing_on() -> None:
    settings = Settings()
    assert worker_queues(settings) == (
        ENRICH_QUEUE, "enrich.ko", "enrich.ja", "enrich.zh", "enrich.ru", "enrich.other",
        INDEX_QUEUE,
    )  # fmt: skip
    assert all(forward_queue(settings, code, ENRICH_QUEUE) is None for code in ("en", "ja"))


def test_a_worker_of_some_groups_passes_the_others_on_from_the_entry_queue_only() -> None:
    settings = Settings(worker_languages=("other",))
    assert worker_queues(settings) == (ENRICH_QUEUE, "enrich.other", INDEX_QUEUE)
    assert forward_queue(settings, "en", ENRICH_QUEUE) is None
    assert forward_queue(settings, "ja", ENRICH_QUEUE) == "enrich.ja"
    assert forward_queue(settings, "ja", None) == "enrich.ja"
    # Taken from a language queue it was routed already: enriched here, never sent round.
    assert forward_queue(settings, "ja", "enrich.ja") is None
