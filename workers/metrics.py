"""Celery worker metrics: task latency and outcomes from signals, served by the main process.

Under the prefork pool every child counts into its own files in ``PROMETHEUS_MULTIPROC_DIR``
and the main process serves the sum, so counters stay right when children are recycled
(``--max-tasks-per-child``). The directory must be set (and empty, or ours) before the worker
starts, because prometheus-client picks its storage when it is first imported; every metric
any worker-side code defines (indexer, enrichment stages) is exported the same way.

Imported by ``workers.app`` for its side effect: connecting the signal receivers below.
Enabled by ``NEWSLOOM_WORKER_METRICS_PORT``; off otherwise.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from celery import Task, signals
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from newsloom.metrics import FAILED, INDEXED, STALE, IndexingMetrics
from newsloom.queues import ENRICH_TASK, INDEX_TASK
from newsloom.settings import get_settings
from workers import signals as delivery_signals

__all__ = ["MULTIPROC_ENV", "WorkerMetrics", "exporter_registry"]

logger = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class WorkerMetrics:
    """Task latency histograms and outcome counters, fed by Celery's task signals."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        # Not the global registry: in multiprocess mode the values live in files, and a
        # private registry keeps two WorkerMetrics (tests, embedded workers) from clashing.
        self.registry = registry or CollectorRegistry()
        self.latency = Histogram(
            "newsloom_worker_task_seconds", "Task run time by task and final state.",
            ["task", "state"], buckets=TASK_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.outcomes = Counter(
            "newsloom_worker_tasks",
            "Task outcomes (success, failure, retry, requeued: outcome not recordable) by task.",
            ["task", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.redeliveries = Counter(
            "newsloom_worker_redeliveries",
            "Tasks started on a message delivered before without finishing (lost worker, "
            "broker restart).",
            ["task"], registry=self.registry,
        )  # fmt: skip
        self.restored = Counter(
            "newsloom_worker_messages_restored",
            "Messages a lost worker held, put back on their queue by the visibility-timeout "
            "sweep (each is then a redelivery), by queue.",
            ["queue"], registry=self.registry,
        )  # fmt: skip
        self.unreadable = Counter(
            "newsloom_worker_unreadable_messages",
            "Messages no task could run, quarantined, by queue and reason.",
            ["queue", "reason"], registry=self.registry,
        )  # fmt: skip
        self.forwarded = Counter(
            "newsloom_worker_articles_forwarded",
            "Articles passed on to the queue of a language group this worker does not serve.",
            ["queue"], registry=self.registry,
        )  # fmt: skip
        self.indexing = IndexingMetrics(self.registry)
        self._started: dict[str, float] = {}

    def connect(self) -> None:
        """Connect to the task signals (strongly: nothing else holds these bound methods)."""
        signals.task_prerun.connect(self.task_started, weak=False)
        signals.task_postrun.connect(self.task_finished, weak=False)
        signals.task_success.connect(self.task_succeeded, weak=False)
        signals.task_failure.connect(self.task_failed, weak=False)
        signals.task_retry.connect(self.task_retried, weak=False)
        delivery_signals.task_redelivered.connect(self.task_redelivered, weak=False)
        delivery_signals.task_requeued.connect(self.task_requeued, weak=False)
        delivery_signals.message_unreadable.connect(self.message_unreadable, weak=False)
        delivery_signals.messages_restored.connect(self.message_restored, weak=False)

    def task_started(self, task_id: str, **_: Any) -> None:
        """Remember when the task began (in the child that runs it)."""
        self._started[task_id] = time.monotonic()

    def task_finished(
        self,
        task_id: str,
        task: Task,  # type: ignore[type-arg]
        state: str | None = None,
        retval: Any = None,
        **_: Any,
    ) -> None:
        """Observe the run time under the task's name and final state; count index writes."""
        started = self._started.pop(task_id, None)
        elapsed = None if started is None else time.monotonic() - started
        if elapsed is not None:
            self.latency.labels(task.name, state or "UNKNOWN").observe(elapsed)
        if task.name == ENRICH_TASK and state == "SUCCESS" and isinstance(retval, str):
            self.forwarded.labels(retval).inc()  # the enrich task returns the queue it chose
        if task.name == INDEX_TASK and state == "SUCCESS":
            # The index task returns False when a newer copy was already there.
            self.indexing.observe_document(INDEXED if retval else STALE, elapsed)

    def task_succeeded(self, sender: Task, **_: Any) -> None:  # type: ignore[type-arg]
        """Count a success."""
        self.outcomes.labels(sender.name, "success").inc()

    def task_failed(self, sender: Task, **_: Any) -> None:  # type: ignore[type-arg]
        """Count a failure (retries exhausted or a permanent error)."""
        self.outcomes.labels(sender.name, "failure").inc()
        if sender.name == INDEX_TASK:
            self.indexing.observe_document(FAILED)

    def task_retried(self, sender: Task, **_: Any) -> None:  # type: ignore[type-arg]
        """Count a retry."""
        self.outcomes.labels(sender.name, "retry").inc()

    def task_redelivered(self, task: str, **_: Any) -> None:
        """Count a redelivery."""
        self.redeliveries.labels(task).inc()

    def task_requeued(self, task: str, **_: Any) -> None:
        """Count a message given back because its outcome could not be recorded."""
        self.outcomes.labels(task, "requeued").inc()

    def message_restored(self, queue: str, **_: Any) -> None:
        """Count a lost worker's message swept back to its queue."""
        self.restored.labels(queue).inc()

    def message_unreadable(self, queue: str, reason: str, **_: Any) -> None:
        """Count a quarantined unreadable message."""
        self.unreadable.labels(queue, reason).inc()


def exporter_registry(metrics: WorkerMetrics) -> CollectorRegistry:
    """What the worker serves: every process's files in multiprocess mode, else ``metrics``."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return metrics.registry
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry


def _clear_multiproc_dir(directory: Path) -> None:
    # Files of a previous run would be summed into this one's counters.
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


@signals.worker_init.connect
def _start_metrics(sender: Any = None, **_: Any) -> None:
    """In the worker's main process, before the pool forks: prepare and connect metrics."""
    settings = get_settings()
    port = settings.worker_metrics_port
    if not port:
        return
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        # SystemExit, not an exception: Celery logs and ignores exceptions from receivers, and
        # a worker whose children's counts are silently lost is worse than one that won't start.
        raise SystemExit(
            f"NEWSLOOM_WORKER_METRICS_PORT is set but {MULTIPROC_ENV} is not: set it to an "
            "empty directory the worker may write (one per worker instance), or unset the port."
        )
    _clear_multiproc_dir(Path(directory))
    metrics = WorkerMetrics()
    metrics.connect()
    try:
        start_http_server(port, settings.metrics_host, exporter_registry(metrics))
    except OSError as error:
        raise SystemExit(
            f"cannot serve worker metrics on {settings.metrics_host}:{port} ({error}); "
            "set NEWSLOOM_WORKER_METRICS_PORT to a free port"
        ) from error
    logger.info("worker metrics on http://%s:%d/metrics", settings.metrics_host, port)


@signals.worker_process_shutdown.connect
def _child_exited(pid: int | None = None, **_: Any) -> None:
    """Drop a recycled child's live gauges (its counters stay, summed into the totals)."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
