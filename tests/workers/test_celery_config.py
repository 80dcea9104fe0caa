"""Delivery settings of the Celery app, and the same settings on a running worker."""

from __future__ import annotations

import pytest

from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK, INDEX_QUEUE, INDEX_TASK
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from workers.app import create_celery, visibility_timeout_s
from workers.base import RETRY_BACKOFF_MAX_S, PipelineTask


@pytest.mark.parametrize("time_limit_s", [60, 300, 3600, 7200])
def test_visibility_timeout_outlasts_every_countdown_and_time_limit(time_limit_s: int) -> None:
    settings = Settings(task_time_limit_s=time_limit_s)
    conf = create_celery(settings).conf
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert visibility == visibility_timeout_s(settings)
    # A retry waits at most retry_backoff_max (jitter only shortens it).
    assert PipelineTask.retry_backoff_max == RETRY_BACKOFF_MAX_S
    assert visibility > RETRY_BACKOFF_MAX_S
    assert visibility > conf.task_time_limit > conf.task_soft_time_limit
    # Room for a task that starts right at the end of a countdown and runs to its limit.
    assert visibility >= RETRY_BACKOFF_MAX_S + conf.task_time_limit


def test_long_task_settings() -> None:
    conf = create_celery(Settings()).conf
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_routes[ENRICH_TASK] == {"queue": ENRICH_QUEUE}
    assert conf.task_routes[INDEX_TASK] == {"queue": INDEX_QUEUE}


@pytest.mark.integration
def test_a_running_worker_uses_these_settings(
    settings: Settings, worker: BackgroundProcess
) -> None:
    replies = create_celery(settings).control.inspect(timeout=10).conf() or {}
    assert replies, "the worker did not answer `inspect conf`"
    expected = create_celery(settings).conf
    for conf in replies.values():
        assert conf["worker_prefetch_multiplier"] == 1
        assert conf["task_acks_late"] is True
        assert conf["task_reject_on_worker_lost"] is True
        assert conf["task_time_limit"] == expected.task_time_limit
        assert conf["broker_transport_options"]["visibility_timeout"] == visibility_timeout_s(
            settings
        )
