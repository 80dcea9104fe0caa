"""Which failures the base task retries and which it quarantines at once."""

from __future__ import annotations

import elasticsearch
import kombu.exceptions
import pydantic
import pytest
import redis

from newsloom.schema import Article
from workers.base import MAX_DELIVERIES, PipelineTask
from workers.errors import TRANSIENT_ERRORS, DeliveryLimitError, TransientError


def _validation_error() -> pydantic.ValidationError:
    with pytest.raises(pydantic.ValidationError) as caught:
        Article.model_validate({"title": "no url"})
    return caught.value


@pytest.mark.parametrize(
    "error",
    [
        TransientError("Elasticsearch answered 503"),
        redis.ConnectionError("refused"),
        redis.TimeoutError("slow"),
        redis.exceptions.LockError("held elsewhere"),
        elasticsearch.ConnectionError("refused"),
        kombu.exceptions.OperationalError("broker unreachable"),
    ],
)
def test_service_hiccups_are_retried(error: Exception) -> None:
    assert isinstance(error, TRANSIENT_ERRORS)


def test_bad_payloads_and_poison_messages_are_not_retried() -> None:
    assert not isinstance(_validation_error(), TRANSIENT_ERRORS)
    assert not isinstance(DeliveryLimitError("delivered 12 times"), TRANSIENT_ERRORS)
    assert not isinstance(ValueError("a bug"), TRANSIENT_ERRORS)


def test_base_task_policy() -> None:
    assert PipelineTask.acks_late
    assert PipelineTask.reject_on_worker_lost
    # Retries end by age, not count, and never through Celery's autoretry, which deletes a
    # message whose retry it cannot publish.
    assert PipelineTask.max_retries is None
    assert not getattr(PipelineTask, "autoretry_for", ())
    assert MAX_DELIVERIES > 1
