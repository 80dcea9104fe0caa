"""Queue and task names, shared by the producers (crawler) and the consumers (workers)."""

from __future__ import annotations

from typing import Final

ENRICH_QUEUE: Final = "enrich"
INDEX_QUEUE: Final = "index"
ENRICH_TASK: Final = "workers.enrich_article"
INDEX_TASK: Final = "workers.index_article"
ALL_QUEUES: Final = (ENRICH_QUEUE, INDEX_QUEUE)
