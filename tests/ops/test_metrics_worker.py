"""Worker metrics refuse a setup that would lose prefork children's counts.

That the counts are right across recycled children is shown in test_prometheus_scrape.py.
"""

from __future__ import annotations

import pytest

from newsloom.settings import Settings
from ops.dev.local.background import BackgroundProcessError
from ops.dev.local.launch import worker_process
from tests.ops.test_metrics_crawler import free_port
from workers.metrics import MULTIPROC_ENV


@pytest.mark.integration
def test_worker_refuses_metrics_without_a_multiprocess_dir(services: Settings) -> None:
    worker = worker_process(
        services.model_copy(update={"worker_metrics_port": free_port()}),
        name="metrics-misconfigured",
        queues=("metrics-misconfigured",),
    )
    worker.env.pop(MULTIPROC_ENV, None)
    with worker, pytest.raises(BackgroundProcessError) as raised:
        worker.start(timeout_s=120)
    assert MULTIPROC_ENV in str(raised.value), "the error must say what to set"
