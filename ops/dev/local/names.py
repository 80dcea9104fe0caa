"""The names of the local services, apart so the command line can offer them cheaply."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ServiceName"]


class ServiceName(StrEnum):
    """The local services, in start order."""

    REDIS = "redis"
    ELASTICSEARCH = "elasticsearch"
