"""Dates in and out of search: always with a time zone, UTC when none was given."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

__all__ = ["IsoDatetime", "UtcDatetime", "as_utc"]

_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def as_utc(moment: datetime) -> datetime:
    """``moment`` with its offset kept, or marked UTC when it has none.

    A date without an offset means UTC, as it does to Elasticsearch; making it aware also
    lets a naive date be compared with an aware one.
    """
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _iso_text(value: Any) -> Any:
    # Pydantic also reads a number as seconds since 1970; a caller who sent one meant
    # something else, and the published schema promises ISO 8601 text.
    if isinstance(value, str) and not _ISO_DATE_START.match(value):
        raise ValueError("give an ISO 8601 date or time, like 2024-05-01 or 2024-05-01T12:00Z")
    return value


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
# A date or date-time a caller sends: ISO 8601 text only.
IsoDatetime = Annotated[
    datetime,
    BeforeValidator(_iso_text),
    AfterValidator(as_utc),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
    ),
]
