"""The events table's columns are declared once (`backend.eventstore.columns`): everything that lists
them is derived from that declaration or checked against it here. Adding a column to one place and
not the others fails one of these tests (and tests/integration/test_columns_in_the_database.py)."""

import hashlib
import inspect
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from backend.eventstore import Metadata, RecordedEvent, StreamWrite, append_sql, columns, projection, verify
from backend.eventstore.append_sql import (
    append_args,
    append_one_args,
    append_one_statement,
    append_statement,
    many_params,
    one_params,
)
from backend.eventstore.chain import chain_hash, event_digest
from backend.eventstore.codec import canonical_json
from backend.eventstore.columns import (
    BATCH_COLUMNS,
    COLUMNS,
    DIGEST_COLUMNS,
    LINK_COLUMNS,
    RECORD_FIELDS,
    STORED,
    Assigned,
    SentCommand,
    SentEvent,
    SentStream,
    recorded_events,
)
from backend.eventstore.store import EVENT_COLUMNS, EventStore
from backend.eventstore.types import NO_STREAM
from backend.registry import inline_projections
from tests.columns import STORED_COLUMNS
from tests.events import NoteAdded, Pinged, registry

pytestmark = pytest.mark.unit

READ_COLUMNS = [c for c in STORED_COLUMNS if c != "hash"]
ONE_EVENT_PARAMETERS = [
    "stream_id",
    "category",
    "expected",
    "type",
    "schema_version",
    "data",
    "metadata",
    "actor_id",
    "command_id",
    "correlation_id",
    "causation_id",
    "digest",
    "command_digest",
    "subjects",
]
MANY_EVENT_PARAMETERS = [
    "streams",
    "events",
    "metadata",
    "actor_id",
    "command_id",
    "correlation_id",
    "causation_id",
    "command_digest",
    "subjects",
]
DIGEST = [
    "stream_id",
    "type",
    "schema_version",
    "data",
    "metadata",
    "actor_id",
    "command_id",
    "correlation_id",
    "causation_id",
]

METADATA = Metadata(
    actor_id="student-1", command_id=UUID(int=1), correlation_id=UUID(int=2), causation_id=UUID(int=3), extra={"a": "b"}
)


def _sent(events: list[tuple[int, Any]], writes: list[StreamWrite]) -> tuple[list[SentStream], list[SentEvent]]:
    streams = [SentStream(w, w.stream_id.split("-")[0]) for w in writes]
    sent = [SentEvent(s, registry.of(e), e, {"stored": n}, bytes([n]) * 32) for n, (s, e) in enumerate(events)]
    return streams, sent


def test_the_declaration_in_order() -> None:
    assert [c.name for c in COLUMNS] == [
        "position",
        "transaction_id",
        "stream_id",
        "category",
        "expected",
        "version",
        "type",
        "schema_version",
        "data",
        "metadata",
        "actor_id",
        "command_id",
        "correlation_id",
        "causation_id",
        "recorded_at",
        "hash",
        "digest",
        "command_digest",
        "subjects",
    ]
    assert [c.name for c in STORED] == STORED_COLUMNS
    assert len({c.name for c in COLUMNS}) == len(COLUMNS)
    # A value neither sent nor stored would be declared for nothing.
    assert [c.name for c in COLUMNS if not c.stored and isinstance(c.source, Assigned)] == []


def test_batch_columns_and_the_stores_select_list_are_the_read_columns() -> None:
    assert list(BATCH_COLUMNS) == READ_COLUMNS
    assert [part.strip() for part in EVENT_COLUMNS.split(",")] == [
        "e.position",
        "e.transaction_id::text::bigint AS transaction_id",
        *(f"e.{c}" for c in READ_COLUMNS[2:]),
    ]


def test_recorded_event_has_a_field_for_each_read_column() -> None:
    expected = [{"data": "event", "metadata": "extra"}.get(c, c) for c in READ_COLUMNS] + ["redacted"]
    assert list(RECORD_FIELDS) == expected
    assert list(RecordedEvent.__struct_fields__) == expected


def test_the_parameters_of_each_statement_in_order() -> None:
    assert list(one_params().names) == ONE_EVENT_PARAMETERS
    assert list(many_params().names) == MANY_EVENT_PARAMETERS


@pytest.mark.parametrize("personal", [False, True])
@pytest.mark.parametrize("shape", ["one", "many"])
def test_every_placeholder_is_a_declared_parameter_with_its_declared_type(shape: str, personal: bool) -> None:
    build, params = (append_one_statement, one_params) if shape == "one" else (append_statement, many_params)
    sql_projections = [p for p in inline_projections() if isinstance(p, projection.SqlProjection)]
    sql = build(sql_projections, personal=personal)
    declared = {c.name: c.sql_type for c in COLUMNS} | {"streams": "jsonb", "events": "jsonb"}
    expected = {f"${n}::{declared[name]}" for n, name in enumerate(params().names, start=1)}
    # Every `$n` carries its cast, and the casts are exactly the declared parameters, each used.
    assert len(re.findall(r"\$\d+", sql)) == len(re.findall(r"\$\d+::[a-z0-9_\[\]]+", sql))
    assert set(re.findall(r"\$\d+::[a-z0-9_\[\]]+", sql)) == expected


def test_no_placeholder_number_is_written_by_hand() -> None:
    for module in (append_sql, columns):
        source = Path(inspect.getfile(module)).read_text()
        assert re.findall(r"\$\d", source) == [], module.__name__


def test_the_one_event_arguments_are_taken_as_declared() -> None:
    write = StreamWrite("contact-1", NO_STREAM, [NoteAdded(text="hi")])
    streams, sent = _sent([(1, write.events[0])], [write])
    command = SentCommand(METADATA, b"c" * 32, ["contact-1"])
    args = append_one_args(streams[0], sent[0], command)
    assert dict(zip(ONE_EVENT_PARAMETERS, args, strict=True)) == {
        "stream_id": "contact-1",
        "category": "contact",
        "expected": -1,
        "type": "NoteAdded",
        "schema_version": 1,
        "data": {"stored": 0},
        "metadata": {"a": "b"},
        "actor_id": "student-1",
        "command_id": UUID(int=1),
        "correlation_id": UUID(int=2),
        "causation_id": UUID(int=3),
        "digest": bytes([0]) * 32,
        "command_digest": b"c" * 32,
        "subjects": ["contact-1"],
    }


def test_the_many_event_arguments_are_taken_as_declared() -> None:
    writes = [
        StreamWrite("contact-1", 3, [Pinged(n=1), Pinged(n=2)]),
        StreamWrite("student-9", NO_STREAM, [Pinged(n=3)]),
    ]
    streams, sent = _sent([(1, writes[0].events[0]), (1, writes[0].events[1]), (2, writes[1].events[0])], writes)
    args = append_args(streams, sent, SentCommand(Metadata(actor_id="student-1", command_id=UUID(int=1)), b"c", []))
    assert dict(zip(MANY_EVENT_PARAMETERS, args, strict=True)) == {
        "streams": [
            {"stream_id": "contact-1", "category": "contact", "expected": 3},
            {"stream_id": "student-9", "category": "student", "expected": -1},
        ],
        "events": [
            {"s": 1, "type": "Pinged", "schema_version": 1, "data": {"stored": 0}, "digest": "00" * 32},
            {"s": 1, "type": "Pinged", "schema_version": 1, "data": {"stored": 1}, "digest": "01" * 32},
            {"s": 2, "type": "Pinged", "schema_version": 1, "data": {"stored": 2}, "digest": "02" * 32},
        ],
        "metadata": {},
        "actor_id": "student-1",
        "command_id": UUID(int=1),
        "correlation_id": UUID(int=1),  # defaults to the command id
        "causation_id": None,
        "command_digest": b"c",
        "subjects": [],
    }


def test_an_appended_event_is_recorded_from_what_the_database_returned_and_what_was_sent() -> None:
    writes = [StreamWrite("contact-1", 0, [Pinged(n=1)]), StreamWrite("student-9", 0, [Pinged(n=2)])]
    streams, sent = _sent([(1, writes[0].events[0]), (2, writes[1].events[0])], writes)
    at = datetime(2026, 1, 2, tzinfo=UTC)
    # The append returns position, transaction id, version and time, in that order.
    recorded = recorded_events([(10, 7, 1, at), (11, 7, 1, at)], streams, sent, SentCommand(METADATA, b"c", []))
    assert recorded[1] == RecordedEvent(
        position=11,
        transaction_id=7,
        stream_id="student-9",
        category="student",
        version=1,
        type="Pinged",
        schema_version=1,
        event=Pinged(n=2),
        extra={"a": "b"},
        actor_id="student-1",
        command_id=UUID(int=1),
        correlation_id=UUID(int=2),
        causation_id=UUID(int=3),
        recorded_at=at,
    )


def test_the_hash_formula_covers_the_declared_columns_in_order() -> None:
    assert list(DIGEST_COLUMNS) == DIGEST
    assert list(LINK_COLUMNS) == ["version", "recorded_at"]
    # event_digest's arguments are the digest's columns, in the order of the JSON array it hashes
    # (`type` is spelled `event_type` there, not to shadow the builtin).
    arguments = list(inspect.signature(event_digest).parameters)
    assert arguments == [{"type": "event_type"}.get(c, c) for c in DIGEST]
    values: dict[str, Any] = {
        "stream_id": "contact-1",
        "event_type": "Pinged",
        "schema_version": 4,
        "data": {"n": 1},
        "metadata": {"a": "b"},
        "actor_id": "student-1",
        "command_id": UUID(int=1),
        "correlation_id": UUID(int=2),
        "causation_id": UUID(int=3),
    }
    body = [str(v) if isinstance(v, UUID) else v for v in (values[a] for a in arguments)]
    assert event_digest(**values) == hashlib.sha256(canonical_json(body)).digest()
    # A link covers the previous hash, then the link columns, then the digest.
    assert list(inspect.signature(chain_hash).parameters) == ["previous", *LINK_COLUMNS, "digest"]


def test_verify_reads_and_recomputes_every_chained_column() -> None:
    select = verify._PAGE.split("SELECT", 1)[1].split("FROM", 1)[0]
    read = re.findall(r"e\.(\w+)", select)
    assert read == [
        "stream_id",
        "version",
        "position",
        "type",
        "schema_version",
        "data",
        "metadata",
        "actor_id",
        "command_id",
        "correlation_id",
        "causation_id",
        "recorded_at",
        "hash",
    ]
    assert set(DIGEST_COLUMNS) | set(LINK_COLUMNS) <= set(read) <= set(STORED_COLUMNS)
    # verify's digest of a stored row is the store's digest of what it sent, column for column.
    kind = registry.of(Pinged(n=1))
    row = {
        "stream_id": "contact-1",
        "type": kind.name,
        "schema_version": kind.schema_version,
        "data": {"n": 1},
        "metadata": METADATA.extra,
        "actor_id": METADATA.actor_id,
        "command_id": METADATA.command_id,
        "correlation_id": METADATA.correlation,
        "causation_id": METADATA.causation_id,
    }
    assert verify._Walk._digest(row) == EventStore._digest("contact-1", kind, {"n": 1}, METADATA)
    assert list(row) == list(DIGEST_COLUMNS)
