"""The store's writes on real PostgreSQL: expectations, atomicity, idempotency, metadata."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from backend.eventstore import (
    ANY,
    NO_STREAM,
    CommandReusedError,
    EventStore,
    InvalidStreamIdError,
    Metadata,
    StreamWrite,
    WrongExpectedVersionError,
)
from backend.infra.db import create_pool
from backend.registry import CORE_PROJECTIONS, inline_projections
from tests.events import ContactAdded, NoteAdded, Pinged, ReferralReceived, registry

pytestmark = pytest.mark.integration


def meta(actor: str = "student-1", **kwargs: object) -> Metadata:
    return Metadata(actor_id=actor, command_id=uuid.uuid4(), **kwargs)  # type: ignore[arg-type]


async def test_append_and_read_back_with_full_metadata(store: EventStore) -> None:
    causation, correlation = uuid.uuid4(), uuid.uuid4()
    metadata = meta(causation_id=causation, correlation_id=correlation, extra={"ip": "127.0.0.1"})
    before = datetime.now(UTC)
    result = await store.append(
        "contact-1", NO_STREAM, [ContactAdded(contact_id="1", name="Ada"), Pinged(n=1)], metadata
    )
    assert not result.duplicate
    assert [e.version for e in result.events] == [1, 2]
    assert result.version_of("contact-1") == 2

    events = await store.read_stream("contact-1")
    assert [e.event for e in events] == [ContactAdded(contact_id="1", name="Ada"), Pinged(n=1)]
    for event in events:
        assert (event.actor_id, event.command_id) == ("student-1", metadata.command_id)
        assert (event.correlation_id, event.causation_id) == (correlation, causation)
        assert event.schema_version == 1
        assert event.extra == {"ip": "127.0.0.1"}
        assert before - timedelta(seconds=5) < event.recorded_at < datetime.now(UTC) + timedelta(seconds=5)
    assert [e.position for e in events] == result.positions


async def test_correlation_defaults_to_the_command_id(store: EventStore) -> None:
    metadata = meta()
    result = await store.append("contact-1", ANY, [Pinged(n=1)], metadata)
    assert result.events[0].correlation_id == metadata.command_id
    assert result.events[0].causation_id is None


async def test_expectations_no_stream_exact_and_any(store: EventStore) -> None:
    await store.append("contact-1", NO_STREAM, [Pinged(n=1)], meta())
    with pytest.raises(WrongExpectedVersionError) as no_stream:
        await store.append("contact-1", NO_STREAM, [Pinged(n=2)], meta())
    assert (no_stream.value.stream_id, no_stream.value.current) == ("contact-1", 1)

    with pytest.raises(WrongExpectedVersionError) as stale:
        await store.append("contact-1", 0, [Pinged(n=2)], meta())
    assert stale.value.current == 1

    with pytest.raises(WrongExpectedVersionError) as missing:
        await store.append("contact-2", 3, [Pinged(n=1)], meta())
    assert missing.value.current == 0

    await store.append("contact-1", 1, [Pinged(n=2)], meta())
    await store.append("contact-1", ANY, [Pinged(n=3)], meta())
    await store.append("contact-3", ANY, [Pinged(n=1)], meta())
    assert await store.stream_version("contact-1") == 3
    assert await store.stream_version("contact-3") == 1
    assert await store.stream_version("contact-4") == 0


async def test_a_failed_append_leaves_nothing_behind(store: EventStore, pool: asyncpg.Pool) -> None:
    await store.append("contact-1", NO_STREAM, [Pinged(n=1)], meta())
    failing = meta()
    with pytest.raises(WrongExpectedVersionError):
        await store.append_many(
            [
                StreamWrite("contact-2", NO_STREAM, [Pinged(n=1)]),
                StreamWrite("contact-1", 0, [Pinged(n=2)]),
            ],
            failing,
        )
    assert await pool.fetchval("SELECT count(*) FROM events") == 1
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'contact-2'") == 0
    assert await pool.fetchval("SELECT count(*) FROM commands WHERE command_id = $1", failing.command_id) == 0
    assert await pool.fetchval("SELECT count(*) FROM stream_summary") == 1


async def test_append_to_several_streams_is_one_atomic_command(store: EventStore) -> None:
    metadata = meta()
    result = await store.append_many(
        [
            StreamWrite(
                "contact-1",
                ANY,
                [ReferralReceived(referred_stream="contact-2", referred_name="Alan")],
            ),
            StreamWrite("contact-2", NO_STREAM, [ContactAdded(contact_id="2", name="Alan")]),
        ],
        metadata,
    )
    assert [(e.stream_id, e.version) for e in result.events] == [("contact-1", 1), ("contact-2", 1)]
    assert {e.command_id for e in result.events} == {metadata.command_id}


async def test_bad_requests_are_refused_before_touching_the_database(store: EventStore, pool: asyncpg.Pool) -> None:
    with pytest.raises(InvalidStreamIdError):
        await store.append("Not A Stream", ANY, [Pinged(n=1)], meta())
    with pytest.raises(ValueError, match="at least one event"):
        await store.append("contact-1", ANY, [], meta())
    with pytest.raises(ValueError, match="once per append"):
        await store.append_many([StreamWrite("contact-1", ANY, [Pinged(n=1)])] * 2, meta())
    with pytest.raises(ValueError, match="0 or more"):
        await store.append("contact-1", -5, [Pinged(n=1)], meta())
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


async def test_retried_command_appends_once_and_returns_the_same_positions(
    store: EventStore, database_url: str, pool: asyncpg.Pool
) -> None:
    metadata = meta()
    events = [
        ContactAdded(contact_id="1", name="Ada", email="ada@example.org"),
        NoteAdded(text="met at a talk"),
    ]
    first = await store.append("contact-1", NO_STREAM, events, metadata)
    again = await store.append("contact-1", NO_STREAM, events, metadata)
    assert again.duplicate
    assert again.positions == first.positions
    assert [e.event for e in again.events] == events

    # After a reconnect (a new pool, as after a restart) the command id is still remembered.
    other_pool = await create_pool(database_url, size=2)
    try:
        fresh = EventStore(other_pool, registry, inline=inline_projections(CORE_PROJECTIONS))
        after_restart = await fresh.append("contact-1", NO_STREAM, events, metadata)
    finally:
        await other_pool.close()
    assert after_restart.duplicate
    assert after_restart.positions == first.positions
    assert await pool.fetchval("SELECT count(*) FROM events") == 2
    assert await pool.fetchval("SELECT event_count FROM stream_summary") == 2


async def test_same_command_id_with_another_payload_is_an_error(store: EventStore, pool: asyncpg.Pool) -> None:
    metadata = meta()
    await store.append("contact-1", NO_STREAM, [ContactAdded(contact_id="1", name="Ada")], metadata)
    with pytest.raises(CommandReusedError):
        await store.append("contact-1", NO_STREAM, [ContactAdded(contact_id="1", name="Eve")], metadata)
    with pytest.raises(CommandReusedError):
        await store.append("contact-9", NO_STREAM, [ContactAdded(contact_id="1", name="Ada")], metadata)
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_concurrent_retries_of_one_command_append_once(store: EventStore, pool: asyncpg.Pool) -> None:
    metadata = meta()
    results = await asyncio.gather(*(store.append("contact-1", ANY, [Pinged(n=1)], metadata) for _ in range(10)))
    assert {tuple(r.positions) for r in results} == {tuple(results[0].positions)}
    assert sum(not r.duplicate for r in results) == 1
    assert await pool.fetchval("SELECT count(*) FROM events") == 1


async def test_fifty_concurrent_writers_one_winner_per_round(store: EventStore, pool: asyncpg.Pool) -> None:
    rounds, writers = 10, 50
    await store.append("contact-race", NO_STREAM, [Pinged(n=0)], meta())
    for round_number in range(rounds):
        expected = round_number + 1
        outcomes = await asyncio.gather(
            *(store.append("contact-race", expected, [Pinged(n=w)], meta(f"w{w}")) for w in range(writers)),
            return_exceptions=True,
        )
        winners = [o for o in outcomes if not isinstance(o, BaseException)]
        losers = [o for o in outcomes if isinstance(o, WrongExpectedVersionError)]
        assert len(winners) == 1, outcomes
        assert len(losers) == writers - 1
        assert {loser.current for loser in losers} == {expected + 1}
    versions = [r["version"] for r in await pool.fetch("SELECT version FROM events ORDER BY version")]
    assert versions == list(range(1, rounds + 2))
    assert await store.stream_version("contact-race") == rounds + 1


async def test_read_stream_ranges_and_as_of(store: EventStore, pool: asyncpg.Pool) -> None:
    for n in range(1, 6):
        await store.append("contact-1", ANY, [Pinged(n=n)], meta())
    assert [e.version for e in await store.read_stream("contact-1", 2, 4)] == [2, 3, 4]
    assert [e.version for e in await store.read_stream("contact-1", 4)] == [4, 5]
    third = (await store.read_stream("contact-1", 3, 3))[0]
    as_of = await store.read_stream("contact-1", as_of=third.recorded_at)
    assert [e.version for e in as_of] == [1, 2, 3]
    assert await store.read_stream("contact-1", as_of=third.recorded_at - timedelta(days=1)) == []
    assert await store.read_stream("contact-404") == []


async def test_read_all_filters_by_type_and_category(store: EventStore) -> None:
    await store.append("contact-1", ANY, [ContactAdded(contact_id="1", name="Ada"), Pinged(n=1)], meta())
    await store.append("student-1", ANY, [Pinged(n=2)], meta())
    everything = await store.read_all()
    assert [e.type for e in everything] == ["ContactAdded", "Pinged", "Pinged"]
    assert [e.stream_id for e in await store.read_all(categories=["student"])] == ["student-1"]
    assert [e.type for e in await store.read_all(types=["ContactAdded"])] == ["ContactAdded"]
    page = await store.read_all(limit=2)
    rest = await store.read_all(page[-1].global_position)
    assert [e.position for e in page + rest] == [e.position for e in everything]


async def test_concurrent_any_appends_to_one_stream_all_land_in_turn(store: EventStore, pool: asyncpg.Pool) -> None:
    results = await asyncio.gather(*(store.append("contact-busy", ANY, [Pinged(n=n)], meta()) for n in range(10)))
    assert sorted(r.events[0].version for r in results) == list(range(1, 11))
    assert await store.stream_version("contact-busy") == 10
    assert await pool.fetchval("SELECT event_count FROM stream_summary WHERE stream_id = 'contact-busy'") == 10
