"""Values the store hands out: positions, metadata, recorded events, append results."""

import enum
import re
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from backend.eventstore.errors import InvalidStreamIdError
from backend.eventstore.events import Event

Conn = asyncpg.Connection | PoolConnectionProxy
"""A connection of one's own or one borrowed from a pool: the store works with either."""

_STREAM_ID = re.compile(r"^[a-z][a-z0-9_]*-[A-Za-z0-9_.:@-]{1,200}$")


def category_of(stream_id: str) -> str:
    """`contact-5f1c…` → `contact`. Stream ids are validated here and by a CHECK in the database."""
    if not _STREAM_ID.match(stream_id):
        raise InvalidStreamIdError(stream_id)
    return stream_id.split("-", 1)[0]


class StreamState(enum.Enum):
    """Expectations other than an exact version."""

    ANY = -2
    NO_STREAM = -1


ANY = StreamState.ANY
NO_STREAM = StreamState.NO_STREAM
ExpectedVersion = int | StreamState
"""An exact version (the number of events the stream holds now; 0 = empty), ANY or NO_STREAM."""


class GlobalPosition(NamedTuple):
    """A point in the global order: by writer transaction id, then by position within it.

    Positions come from a sequence and are handed out before commit, so they can commit out of
    order; transaction ids below the oldest running transaction (the snapshot's xmin) can not.
    """

    transaction_id: int
    position: int

    def token(self) -> str:
        return f"{self.transaction_id}.{self.position}"

    @classmethod
    def parse(cls, token: str) -> "GlobalPosition":
        tx, _, pos = token.partition(".")
        return cls(int(tx), int(pos))


START = GlobalPosition(0, 0)


class Metadata(msgspec.Struct, frozen=True, kw_only=True):
    """Who asked for an append and why. The store adds `recorded_at` and each schema version."""

    actor_id: str
    command_id: UUID
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    extra: dict[str, str] = msgspec.field(default_factory=dict)

    @property
    def correlation(self) -> UUID:
        return self.correlation_id or self.command_id


class RecordedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event as stored: its place in the stream and the log, its metadata, its payload."""

    # One field per column readers see, in the order `backend.eventstore.columns.COLUMNS` declares
    # them (written out for the type checker; tests/unit/test_columns.py holds the two together).
    position: int
    transaction_id: int
    stream_id: str
    category: str
    version: int
    type: str
    schema_version: int
    event: Event  # the `data` column, unsealed, upcast and decoded
    extra: dict[str, Any]  # the `metadata` column
    actor_id: str
    command_id: UUID
    correlation_id: UUID
    causation_id: UUID | None
    recorded_at: datetime
    redacted: frozenset[str] = frozenset()

    @property
    def global_position(self) -> GlobalPosition:
        return GlobalPosition(self.transaction_id, self.position)


class StreamWrite(msgspec.Struct, frozen=True):
    """Events for one stream within an append, with the version the writer expects it to be at."""

    stream_id: str
    expected_version: ExpectedVersion
    events: list[Event]


class AppendResult(msgspec.Struct, frozen=True, kw_only=True):
    """Where an append landed. `duplicate` is true when the command id had already been applied."""

    events: list[RecordedEvent]
    duplicate: bool

    @property
    def positions(self) -> list[int]:
        return [e.position for e in self.events]

    def version_of(self, stream_id: str) -> int:
        """The stream's version after this append (the next expected version)."""
        return max(e.version for e in self.events if e.stream_id == stream_id)
