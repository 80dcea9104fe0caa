"""Delivery settings of the Celery app, and the same settings on a running worker."""

from __future__ import annotations

import pytest

from newsloom.queues import ENRICH_QUEUE, ENRICH_TASK, INDEX_QUEUE, INDEX_TASK
from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcess
from workers.app import broker_transport_options, create_celery, soft_time_limit_s
from workers.leases import renew_interval_s


@pytest.mark.parametrize("visibility_s", [10, 30, 120])
def test_leases_are_renewed_well_within_the_visibility_timeout(visibility_s: int) -> None:
    settings = Settings(broker_visibility_timeout_s=visibility_s)
    options = create_celery(settings).conf.broker_transport_options
    assert options == broker_transport_options(settings)
    assert options["visibility_timeout"] == visibility_s
    # Two renewals may fail (a busy loop, a Redis blip) before a held message expires.
    assert renew_interval_s(settings) * 2 < visibility_s
    # Every sweep scans: a lost worker's messages return within the timeout plus one sweep.
    assert options["unacked_restore_throttle"] == 1
    assert options["unacked_restore_interval"] < visibility_s


def test_the_worker_reads_garbage_without_dying() -> None:
    conf = create_celery(Settings()).conf
    assert conf.broker_transport == "workers.transport:Transport"
    assert conf.worker_consumer == "workers.consumer:QuarantiningConsumer"


@pytest.mark.parametrize(
    ("hard_s", "soft_s", "expected"),
    [(300, None, 270), (20, None, 1), (300, 120, 120), (60, 60, None), (60, 90, None)],
)
def test_the_soft_time_limit_defaults_below_the_hard_one_and_can_be_switched_off(
    hard_s: int, soft_s: int | None, expected: int | None
) -> None:
    settings = Settings(task_time_limit_s=hard_s, task_soft_time_limit_s=soft_s)
    assert soft_time_limit_s(settings) == expected
    conf = create_celery(settings).conf
    assert conf.task_time_limit == hard_s and conf.task_soft_time_limit == expected


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
        assert conf["broker_transport_options"] == broker_transport_options(settings)
