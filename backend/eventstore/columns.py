"""The events table's columns and the append's other parameters, declared once, in one list.

`COLUMNS` says, for every value an append sends or the log stores, its name, its SQL type, where it
comes from (each stream written, each event, the command as a whole, or the database) and where it
goes: a column of `events`, the columns readers and projections see, a field of `RecordedEvent`,
the hash chain. Derived from it and written nowhere else: the append statements' parameters, their
numbers and the argument tuples sent with them (`append_sql`), `BATCH_COLUMNS`, the store's
`EVENT_COLUMNS`, and how a row or a sent event becomes a `RecordedEvent`.

`RecordedEvent` is written out in `types.py` because a type checker needs its fields spelled, and
the hash formula (`chain.py`) and `verify.py` are written independently of this module on purpose,
so an auditor can read them alone; tests/unit/test_columns.py checks all three against `COLUMNS`,
and tests/integration/test_columns_in_the_database.py checks the table itself.
"""

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

from backend.eventstore.events import Event, EventType
from backend.eventstore.types import ExpectedVersion, Metadata, RecordedEvent, StreamState, StreamWrite

# -- what an append sends ---------------------------------------------------------------------------
# Tuples, not dataclasses: an append builds one per stream and per event, and these are the cheapest.


class SentStream(NamedTuple):
    """A stream as an append sends it: its write, and its category (validated before anything else)."""

    write: StreamWrite
    category: str


class SentEvent(NamedTuple):
    """An event as an append sends it: sealed, and digested for the hash chain."""

    stream: int  # which of the append's streams: 1-based, in the order of the writes
    kind: EventType
    event: Event
    data: dict[str, Any]  # the stored form: personal fields sealed
    digest: bytes  # `chain.event_digest` of the stored form


class SentCommand(NamedTuple):
    """What an append sends once for all its events."""

    metadata: Metadata
    digest: bytes  # what the command carried, for recognising a retry (see `EventStore._append`)
    subjects: list[str]  # the data subjects whose keys sealed its personal fields, sorted


# -- where a value comes from -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PerStream:
    """One value for each stream written."""

    take: Callable[[SentStream], Any]


@dataclass(frozen=True, slots=True)
class PerEvent:
    """One value for each event."""

    take: Callable[[SentEvent], Any]


@dataclass(frozen=True, slots=True)
class PerCommand:
    """One value for the whole append."""

    take: Callable[[SentCommand], Any]


class Assigned(enum.Enum):
    """Values the database assigns: nothing is sent for them."""

    TABLE = "the table's default"  # position (identity), transaction_id (the writer's xid8)
    APPEND = "the append statement"  # version, time and hash: only the database knows the head and the time


Source = PerStream | PerEvent | PerCommand | Assigned


class Chain(enum.Enum):
    """Where a column enters the hash chain (`backend.eventstore.chain`)."""

    DIGEST = "the event's digest"
    LINK = "the link, beside the digest and the previous hash"


@dataclass(frozen=True, slots=True)
class Column:
    """One value of an append or one column of `events`."""

    name: str
    sql_type: str
    source: Source
    _: KW_ONLY
    stored: bool = True  # a column of `events`; False: a parameter of the append only
    field: str | None = None  # the RecordedEvent field it fills; None: readers never see it
    chain: Chain | None = None
    read_cast: str = ""  # how it reaches Python when read, if not as itself

    def select(self, alias: str) -> str:
        """This column in a select list, read from `alias`."""
        if self.read_cast:
            return f"{alias}.{self.name}{self.read_cast} AS {self.name}"
        return f"{alias}.{self.name}"


def expected_code(expected: ExpectedVersion) -> int:
    """An expectation as the append statement takes it: the exact version, or -1 / -2 (see StreamState)."""
    if isinstance(expected, StreamState):
        return expected.value
    if expected < 0:
        raise ValueError("an exact expected version is 0 or more")
    return expected


# The stored columns in the table's order, each parameter beside the columns it belongs with. Order
# matters: it is the order of BATCH_COLUMNS, of RecordedEvent's fields, of the INSERT and of the
# append's parameters (the one-event statement numbers its parameters in this order).
COLUMNS: tuple[Column, ...] = (
    Column("position", "bigint", Assigned.TABLE, field="position"),
    # Read through text as a bigint, so the int readers get does not depend on the driver's xid8 support.
    Column("transaction_id", "xid8", Assigned.TABLE, field="transaction_id", read_cast="::text::bigint"),
    Column("stream_id", "text", PerStream(lambda s: s.write.stream_id), field="stream_id", chain=Chain.DIGEST),
    Column("category", "text", PerStream(lambda s: s.category), field="category"),
    Column("expected", "bigint", PerStream(lambda s: expected_code(s.write.expected_version)), stored=False),
    Column("version", "bigint", Assigned.APPEND, field="version", chain=Chain.LINK),
    Column("type", "text", PerEvent(lambda e: e.kind.name), field="type", chain=Chain.DIGEST),
    Column(
        "schema_version",
        "integer",
        PerEvent(lambda e: e.kind.schema_version),
        field="schema_version",
        chain=Chain.DIGEST,
    ),
    # Read back, the stored data is unsealed, upcast and decoded into the `event` field.
    Column("data", "jsonb", PerEvent(lambda e: e.data), field="event", chain=Chain.DIGEST),
    Column("metadata", "jsonb", PerCommand(lambda c: c.metadata.extra), field="extra", chain=Chain.DIGEST),
    Column("actor_id", "text", PerCommand(lambda c: c.metadata.actor_id), field="actor_id", chain=Chain.DIGEST),
    Column("command_id", "uuid", PerCommand(lambda c: c.metadata.command_id), field="command_id", chain=Chain.DIGEST),
    Column(
        "correlation_id",
        "uuid",
        PerCommand(lambda c: c.metadata.correlation),
        field="correlation_id",
        chain=Chain.DIGEST,
    ),
    Column(
        "causation_id",
        "uuid",
        PerCommand(lambda c: c.metadata.causation_id),
        field="causation_id",
        chain=Chain.DIGEST,
    ),
    Column("recorded_at", "timestamptz", Assigned.APPEND, field="recorded_at", chain=Chain.LINK),
    Column("hash", "bytea", Assigned.APPEND),
    Column("digest", "bytea", PerEvent(lambda e: e.digest), stored=False),
    Column("command_digest", "bytea", PerCommand(lambda c: c.digest), stored=False),
    Column("subjects", "text[]", PerCommand(lambda c: c.subjects), stored=False),
)

# -- derived -----------------------------------------------------------------------------------------

STORED = tuple(c for c in COLUMNS if c.stored)
"""The columns of `events`, in the table's order."""

INSERTED = tuple(c for c in STORED if c.source is not Assigned.TABLE)
"""The columns the append's INSERT names."""

READ = tuple(c for c in COLUMNS if c.field is not None)
"""The columns readers and projections see."""

BATCH_COLUMNS = tuple(c.name for c in READ)
"""The columns `{batch}` offers a SqlProjection, in the order the store selects them."""

RETURNED = tuple(c for c in READ if isinstance(c.source, Assigned))
"""What an append returns: only the database knows these; everything else is what was sent."""

EVENT_FIELD = "event"
"""RecordedEvent's field that is decoded from a column, not copied from it."""

RECORD_FIELDS = (*(c.field for c in READ if c.field is not None), "redacted")
"""RecordedEvent's fields, in order: one per read column, then what decoding found erased."""

DIGEST_COLUMNS = tuple(c.name for c in COLUMNS if c.chain is Chain.DIGEST)
LINK_COLUMNS = tuple(c.name for c in COLUMNS if c.chain is Chain.LINK)


def index_of(name: str) -> int:
    """A column's index in a row selected as BATCH_COLUMNS (or the store's EVENT_COLUMNS)."""
    return BATCH_COLUMNS.index(name)


# RecordedEvent's fields copied from a row read as BATCH_COLUMNS, by index; `data` is decoded instead.
ROW_FIELDS = tuple((i, c.field) for i, c in enumerate(READ) if c.field is not None and c.field != EVENT_FIELD)


# The read columns an append fills from what it sent, as (field, take), by source.
_COPIED = tuple((c.field, c.source) for c in READ if c.field is not None and c.field != EVENT_FIELD)
_FROM_STREAM = tuple((field, s.take) for field, s in _COPIED if isinstance(s, PerStream))
_FROM_EVENT = tuple((field, s.take) for field, s in _COPIED if isinstance(s, PerEvent))
_FROM_COMMAND = tuple((field, s.take) for field, s in _COPIED if isinstance(s, PerCommand))
_FROM_DATABASE = tuple(c.field for c in RETURNED if c.field is not None)


def recorded_events(
    rows: Iterable[Iterable[Any]],
    streams: Sequence[SentStream],
    events: Sequence[SentEvent],
    command: SentCommand,
) -> list[RecordedEvent]:
    """The appended events as recorded: `rows` (RETURNED, in the order the events were sent) and what was sent.

    Nothing needs decoding: the event is the one that was sent.
    """
    same_for_all = {field: take(command) for field, take in _FROM_COMMAND}
    per_stream = [{**same_for_all, **{field: take(stream) for field, take in _FROM_STREAM}} for stream in streams]
    recorded = []
    for row, event in zip(rows, events, strict=True):
        fields = per_stream[event.stream - 1].copy()
        fields.update(zip(_FROM_DATABASE, row, strict=True))
        for field, take in _FROM_EVENT:
            fields[field] = take(event)
        recorded.append(RecordedEvent(event=event.event, **fields))
    return recorded
