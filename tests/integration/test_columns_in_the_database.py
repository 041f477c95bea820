"""The declared columns (`backend.eventstore.columns`) against the real `events` table, what an append
stores in it, and what `verify` notices when any column inside the hash chain is changed."""

import uuid
from typing import Any

import asyncpg
import pytest

from backend.eventstore import NO_STREAM, EventStore, Metadata, StreamWrite
from backend.eventstore.columns import DIGEST_COLUMNS, LINK_COLUMNS, STORED, Assigned
from backend.eventstore.verify import CHANGED, verify
from tests.columns import STORED_COLUMNS
from tests.events import ContactAdded, Pinged

pytestmark = pytest.mark.integration


async def test_the_events_table_has_exactly_the_declared_columns_and_types(pool: asyncpg.Pool) -> None:
    table = await pool.fetch(
        """
        SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
               a.attidentity <> '' OR a.atthasdef AS has_default
        FROM pg_attribute a
        WHERE a.attrelid = 'events'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """
    )
    declared = [
        (c.name, await pool.fetchval("SELECT $1::regtype::text", c.sql_type)) for c in STORED
    ]  # e.g. timestamptz -> timestamp with time zone
    assert [(r["name"], r["type"]) for r in table] == declared
    assert [r["name"] for r in table] == STORED_COLUMNS
    # What the append leaves to the table, the table fills in.
    defaults = {r["name"] for r in table if r["has_default"]}
    assert {c.name for c in STORED if c.source is Assigned.TABLE} <= defaults


@pytest.mark.parametrize("events", [1, 3], ids=["one-event statement", "many-event statement"])
async def test_an_append_stores_each_sent_value_in_its_column(
    store: EventStore, pool: asyncpg.Pool, events: int
) -> None:
    metadata = Metadata(
        actor_id="student-1",
        command_id=uuid.uuid4(),
        correlation_id=uuid.uuid4(),
        causation_id=uuid.uuid4(),
        extra={"ip": "127.0.0.1"},
    )
    result = await store.append("contact-1", NO_STREAM, [Pinged(n=n) for n in range(events)], metadata)
    rows = await pool.fetch("SELECT * FROM events ORDER BY position")
    assert [list(row.keys()) for row in rows] == [[c.name for c in STORED]] * events
    for row, recorded in zip(rows, result.events, strict=True):
        # Every column a reader sees reads back as the append reported it.
        assert dict(row) | {"transaction_id": int(str(row["transaction_id"]))} == {
            "position": recorded.position,
            "transaction_id": recorded.transaction_id,
            "stream_id": "contact-1",
            "category": "contact",
            "version": recorded.version,
            "type": "Pinged",
            "schema_version": 1,
            "data": {"n": recorded.version - 1},
            "metadata": {"ip": "127.0.0.1"},
            "actor_id": "student-1",
            "command_id": metadata.command_id,
            "correlation_id": metadata.correlation_id,
            "causation_id": metadata.causation_id,
            "recorded_at": recorded.recorded_at,
            "hash": row["hash"],
        }
    assert [e.position for e in await store.read_stream("contact-1")] == result.positions


# A change to each column inside the hash chain, made as a superuser past the append-only guard.
TAMPERED: dict[str, str] = {
    "stream_id": "stream_id = 'contact-forged'",
    "type": "type = 'NoteAdded'",
    "schema_version": "schema_version = schema_version + 1",
    "data": """data = '{"n": 99}'""",
    "metadata": """metadata = '{"ip": "10.0.0.1"}'""",
    "actor_id": "actor_id = 'student-2'",
    "command_id": "command_id = gen_random_uuid()",
    "correlation_id": "correlation_id = gen_random_uuid()",
    "causation_id": "causation_id = gen_random_uuid()",
    "version": "version = version + 10",
    "recorded_at": "recorded_at = recorded_at + interval '1 microsecond'",
}


async def test_verify_notices_a_change_to_any_column_inside_the_chain(store: EventStore, pool: asyncpg.Pool) -> None:
    assert sorted(TAMPERED) == sorted([*DIGEST_COLUMNS, *LINK_COLUMNS])
    metadata = Metadata(actor_id="student-1", command_id=uuid.uuid4(), causation_id=uuid.uuid4())
    await store.append_many(
        [
            StreamWrite("contact-1", NO_STREAM, [ContactAdded(contact_id="1", name="Ada"), Pinged(n=1), Pinged(n=2)]),
            StreamWrite("contact-2", NO_STREAM, [Pinged(n=1)]),
        ],
        metadata,
    )
    target = await pool.fetchval("SELECT position FROM events WHERE stream_id = 'contact-1' AND version = 2")
    async with pool.acquire() as conn:
        assert (await verify(conn)).ok
        for column, change in TAMPERED.items():
            broken = await _verify_with(conn, f"UPDATE events SET {change} WHERE position = {target}")
            assert broken.first_break is not None, column
            # A change inside the digest or the link breaks that very event's link; a moved version
            # or stream breaks the stream's sequence there.
            assert broken.first_break.position == target, (column, broken.first_break)
            if column not in ("stream_id", "version"):
                assert broken.first_break.reason == CHANGED, column
        # Outside the chain: the category (derived from the stream id) and the ids the database assigns.
        unchained = [c.name for c in STORED if c.chain is None]
        assert unchained == ["position", "transaction_id", "category", "hash"]


async def _verify_with(conn: Any, tamper: str) -> Any:
    """verify() as it would run after `tamper`, which is rolled back afterwards."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        # session_replication_role = replica disables ordinary triggers; only a superuser may set it.
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(tamper)
        return await verify(conn)
    finally:
        await transaction.rollback()
