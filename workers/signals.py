"""Delivery events Celery has no signal for, sent by the base task and the worker's consumer.

``workers.metrics`` counts them; nothing else needs to know they happened. Each is sent with
keyword arguments only, in the process where the event happened (pool child or main process).

- ``task_redelivered(task)``: a task started on a message delivered before without finishing
  (its worker died, or Redis went away before the outcome was recorded).
- ``task_requeued(task)``: a task failed transiently and its retry could not be published, so
  its message was left to be delivered again.
- ``messages_restored(queue)``: the visibility-timeout sweep put back one message a worker held
  without renewing its lease (the worker is gone); sent in the main process that swept.
- ``message_unreadable(queue, reason)``: a message that is not a task this worker can run was
  quarantined (``reason`` is one of ``workers.unreadable.REASONS``).
"""

from __future__ import annotations

from celery.utils.dispatch import Signal

__all__ = ["message_unreadable", "messages_restored", "task_redelivered", "task_requeued"]

task_redelivered = Signal(name="newsloom_task_redelivered")
task_requeued = Signal(name="newsloom_task_requeued")
message_unreadable = Signal(name="newsloom_message_unreadable")
messages_restored = Signal(name="newsloom_messages_restored")
