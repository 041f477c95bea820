"""Opaque page cursors, one kind for REST and GraphQL: the sort key of the last item shown.

A cursor comes back from the client, so whatever it decodes to is checked before it reaches SQL: a
moment must carry its offset and stay within the years PostgreSQL and Python share once in UTC, and
an integer must fit the column it is compared with. Anything else is a bad cursor (a 4xx), never a
database error.
"""

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import msgspec

K = TypeVar("K")

Offset = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
"""A stream version or a position in a list: an `integer` column."""
RowId = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
"""A `bigint` row id."""


class BadCursorError(ValueError):
    """This cursor was not made by this API (or has been tampered with)."""


def encode_cursor(position: object) -> str:
    """An opaque cursor for a page boundary: the sort key of the last item shown (a value or a tuple)."""
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def _check(value: Any) -> None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise BadCursorError("a moment without its offset")
        value.astimezone(UTC)  # OverflowError past year 1 or 9999 in UTC
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise BadCursorError("a number out of range")
    elif isinstance(value, tuple | list):
        for item in value:
            _check(item)


def decode_cursor(cursor: str, kind: type[K]) -> K:
    """The position a cursor names; `BadCursorError` if this API could not have made it."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = msgspec.json.decode(raw, type=kind)
        _check(position)
    except (binascii.Error, ValueError, OverflowError, msgspec.DecodeError) as error:
        raise BadCursorError(str(error)) from None
    return position
