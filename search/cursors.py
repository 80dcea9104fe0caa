"""Search cursors: what the next page needs, signed so only this API's own cursors are read.

A cursor is ``<payload>.<signature>``, both base64url. The signature is an HMAC-SHA256 over
the alias and the payload, checked before anything in the payload is parsed: a cursor that
was edited, made up, or issued for another alias is refused without its JSON being read, so
its size and nesting cost nothing. A signed payload is still parsed strictly (a schema with
bounded numbers), since a leaked secret should not turn into a server error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError

from newsloom.errors import InvalidInputError
from search.request import SearchRequest

__all__ = ["MAX_CURSOR_LENGTH", "CursorError", "CursorSigner", "CursorState"]

MAX_CURSOR_LENGTH = 8192
_COUNT = Annotated[StrictInt, Field(ge=0, le=2**53)]
# A sort value as Elasticsearch returns it: a score, a date in epoch ms, a tie-breaker.
_SORT_VALUE = (
    Annotated[StrictInt, Field(ge=-(2**63), le=2**64)]
    | Annotated[StrictFloat, Field(allow_inf_nan=False)]
    | Annotated[StrictStr, Field(max_length=1024)]
    | None
)


class CursorError(InvalidInputError):
    """A cursor that is malformed, not signed by this API, or whose point in time expired."""


class CursorState(BaseModel):
    """Where a listing stands: its request, point in time, last sort values and counts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    request: SearchRequest
    pit: Annotated[StrictStr, Field(min_length=1, max_length=4096)]
    after: Annotated[list[_SORT_VALUE], Field(max_length=4)]
    seen: _COUNT
    total: _COUNT


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a cursor holds")


class CursorSigner:
    """Signs and reads the cursors of one alias with one secret."""

    def __init__(self, secret: str, alias: str) -> None:
        """``secret`` empty: a random one, valid for this process only."""
        self._key = secret.encode() if secret else secrets.token_bytes(32)
        self._alias = alias.encode()

    def _signature(self, payload: bytes) -> bytes:
        return hmac.new(self._key, self._alias + b"\0" + payload, hashlib.sha256).digest()

    def encode(self, state: CursorState) -> str:
        """``state`` as a signed cursor."""
        payload = state.model_dump_json().encode()
        return f"{_b64encode(payload)}.{_b64encode(self._signature(payload))}"

    def decode(self, cursor: str) -> CursorState:
        """The state inside ``cursor``; :class:`CursorError` for anything this API did not sign."""
        refused = CursorError(
            "the cursor is not one this API returned for this index; "
            "start the search again without a cursor"
        )
        if len(cursor) > MAX_CURSOR_LENGTH or cursor.count(".") != 1:
            raise refused
        encoded_payload, encoded_signature = cursor.split(".")
        try:
            payload, signature = _b64decode(encoded_payload), _b64decode(encoded_signature)
        except (binascii.Error, ValueError) as error:
            raise refused from error
        if not hmac.compare_digest(signature, self._signature(payload)):
            raise refused
        try:
            data = json.loads(payload, parse_constant=_refuse_constant)
            return CursorState.model_validate(data)
        except (ValueError, RecursionError, PydanticValidationError) as error:
            raise refused from error
