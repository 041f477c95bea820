"""Rapport's event store on PostgreSQL: streams, a trustworthy global order, projections, erasure."""

from backend.eventstore.errors import (
    CommandReusedError,
    EventStoreError,
    InvalidStreamIdError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)
from backend.eventstore.events import (
    PERSONAL,
    REDACTED,
    Event,
    EventRegistry,
    Personal,
    PersonalData,
)
from backend.eventstore.store import EventStore, init_connection
from backend.eventstore.types import (
    ANY,
    NO_STREAM,
    START,
    AppendResult,
    ExpectedVersion,
    GlobalPosition,
    Metadata,
    RecordedEvent,
    StreamWrite,
    category_of,
)

__all__ = [
    "ANY",
    "NO_STREAM",
    "PERSONAL",
    "REDACTED",
    "START",
    "AppendResult",
    "CommandReusedError",
    "Event",
    "EventRegistry",
    "EventStore",
    "EventStoreError",
    "ExpectedVersion",
    "GlobalPosition",
    "InvalidStreamIdError",
    "Metadata",
    "Personal",
    "PersonalData",
    "RecordedEvent",
    "StreamWrite",
    "SubjectForgottenError",
    "WrongExpectedVersionError",
    "category_of",
    "init_connection",
]
