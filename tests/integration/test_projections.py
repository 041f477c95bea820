"""Inline and async projections, failure isolation, status and rebuild, on real PostgreSQL."""

import asyncio
import uuid
from collections.abc import Callable, Sequence

import asyncpg
import msgspec
import pytest

from backend.audit.activity import ACTIVITY_DAILY, activity
from backend.audit.stream_summary import STREAM_SUMMARY, get_summary, list_summaries
from backend.eventstore import ANY, EventStore, Metadata, RecordedEvent
from backend.eventstore.projection import Mode, Projection, PyProjection, SqlProjection, Tables
from backend.eventstore.rebuild import rebuild
from backend.eventstore.runner import Projector, wait_or_stop
from backend.eventstore.status import ProjectionStatus, projection_status
from backend.eventstore.types import Conn
from tests.events import ContactAdded, NoteAdded, Pinged, registry

pytestmark = pytest.mark.integration


def meta() -> Metadata:
    return Metadata(actor_id="student-1", command_id=uuid.uuid4())


async def table_rows(pool: asyncpg.Pool, table: str, order: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await pool.fetch(f"SELECT * FROM {table} ORDER BY {order}")]


async def wait_until(check: Callable[[], "asyncio.Future[bool] | object"], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if await check():  # type: ignore[misc]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def caught_up(pool: asyncpg.Pool, projections: Sequence[Projection]) -> bool:
    async with pool.acquire() as conn:
        statuses = await projection_status(conn, projections)
    return all(s.lag_events == 0 for s in statuses)


class running_projector:  # noqa: N801 - reads as a context, like `open`
    def __init__(self, url: str, store: EventStore, projections: Sequence[Projection], batch_size: int = 100) -> None:
        self.stop = asyncio.Event()
        self.projector = Projector(url, store, projections, poll_seconds=0.05, batch_size=batch_size, max_backoff=0.2)

    async def __aenter__(self) -> Projector:
        self.task = asyncio.create_task(self.projector.run(self.stop))
        return self.projector

    async def __aexit__(self, *_: object) -> None:
        self.stop.set()
        await self.task


async def test_inline_summary_is_there_when_the_append_returns(store: EventStore, pool: asyncpg.Pool) -> None:
    await store.append("contact-1", ANY, [ContactAdded(contact_id="1", name="Ada")], meta())
    result = await store.append("contact-1", ANY, [NoteAdded(text="hello"), Pinged(n=1)], meta())
    async with pool.acquire() as conn:
        summary = await get_summary(conn, "contact-1")
        assert summary is not None
        assert (summary.category, summary.version, summary.event_count) == ("contact", 3, 3)
        assert (summary.first_event_type, summary.last_event_type) == ("ContactAdded", "Pinged")
        assert summary.last_recorded_at == result.events[-1].recorded_at
        assert [s.stream_id for s in await list_summaries(conn, "contact")] == ["contact-1"]
        assert await get_summary(conn, "contact-404") is None


async def test_async_projection_catches_up_and_reports_its_status(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    for n in range(250):
        await store.append(f"contact-{n % 7}", ANY, [Pinged(n=n)], meta())
    async with pool.acquire() as conn:
        [before] = await projection_status(conn, [ACTIVITY_DAILY])
    assert (before.state, before.lag_events) == ("stopped", 250)
    assert before.lag_seconds >= 0

    async with running_projector(database_url, store, [ACTIVITY_DAILY]):
        await wait_until(lambda: caught_up(pool, [ACTIVITY_DAILY]))
        async with pool.acquire() as conn:
            [running] = await projection_status(conn, [ACTIVITY_DAILY])
            assert (running.state, running.lag_events, running.lag_seconds) == ("running", 0, 0.0)
            [inline] = await projection_status(conn, [STREAM_SUMMARY])
            assert (inline.mode, inline.state, inline.lag_events) == ("inline", "inline", 0)
        # Woken by NOTIFY for new events.
        await store.append("contact-1", ANY, [Pinged(n=999)], meta())
        await wait_until(lambda: caught_up(pool, [ACTIVITY_DAILY]))

    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT day FROM activity_daily LIMIT 1")
        day = rows[0]["day"]
        [daily] = await activity(conn, "contact", day, day)
    assert (daily.event_type, daily.events) == ("Pinged", 251)


def _failing_projection(poison: Callable[[RecordedEvent], bool], seen: list[int]) -> PyProjection:
    async def apply(conn: Conn, events: Sequence[RecordedEvent], tables: Tables) -> None:
        for event in events:
            if poison(event):
                raise RuntimeError(f"cannot project event {event.version} of {event.stream_id}")
        seen.extend(e.position for e in events)

    return PyProjection(name="fragile", mode=Mode.ASYNC, tables=(), apply=apply)


async def test_a_failing_projection_stops_at_its_event_and_others_keep_running(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    for n in range(30):
        await store.append("contact-1", ANY, [Pinged(n=n)], meta())
    poison_version = 17
    broken = {"on": True}
    committed: list[int] = []
    fragile = _failing_projection(lambda e: broken["on"] and e.version == poison_version, committed)

    async with running_projector(database_url, store, [fragile, ACTIVITY_DAILY], batch_size=10):
        await wait_until(lambda: caught_up(pool, [ACTIVITY_DAILY]))

        async def failed() -> bool:
            async with pool.acquire() as conn:
                [status] = await projection_status(conn, [fragile])
            return status.state == "failed"

        await wait_until(failed)
        async with pool.acquire() as conn:
            [status] = await projection_status(conn, [fragile])
            poison_position = await conn.fetchval(
                "SELECT position FROM events WHERE stream_id = 'contact-1' AND version = $1",
                poison_version,
            )
        assert status.failed_position == poison_position
        assert status.error is not None
        assert "cannot project event 17" in status.error
        assert status.lag_events == 30 - poison_version + 1  # stopped exactly at the bad event
        assert await pool.fetchval("SELECT sum(events) FROM activity_daily") == 30

        broken["on"] = False  # the fix
        await wait_until(lambda: caught_up(pool, [fragile]))
    async with pool.acquire() as conn:
        [healed] = await projection_status(conn, [fragile])
    assert (healed.error, healed.failed_position) == (None, None)
    assert sorted(committed) == sorted(set(committed))  # nothing applied twice


async def test_rebuild_reproduces_the_live_read_models_while_writers_keep_writing(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    for n in range(400):
        await store.append(f"contact-{n % 13}", ANY, [Pinged(n=n)] if n % 3 else [NoteAdded(text="x")], meta())

    async with running_projector(database_url, store, [ACTIVITY_DAILY]):
        await wait_until(lambda: caught_up(pool, [ACTIVITY_DAILY]))
        live_summary = await table_rows(pool, "stream_summary", "stream_id")
        live_activity = await table_rows(pool, "activity_daily", "category, day, event_type")

        stop_writing = asyncio.Event()

        async def keep_writing() -> int:
            written = 0
            while not stop_writing.is_set():
                await store.append(f"student-{written % 3}", ANY, [Pinged(n=written)], meta())
                written += 1
                await asyncio.sleep(0.001)
            return written

        writer = asyncio.create_task(keep_writing())
        progressed: list[int] = []
        await rebuild(pool, store, STREAM_SUMMARY, batch_size=50, progress=progressed.append)
        await rebuild(pool, store, ACTIVITY_DAILY, batch_size=50)
        stop_writing.set()
        written = await writer
        assert written > 0
        assert sum(progressed) >= 400
        await wait_until(lambda: caught_up(pool, [ACTIVITY_DAILY]))

        total = await pool.fetchval("SELECT count(*) FROM events")
        assert await pool.fetchval("SELECT sum(event_count) FROM stream_summary") == total
        assert await pool.fetchval("SELECT sum(events) FROM activity_daily") == total

        # The rebuilt tables equal what the live projections produced for the same events.
        after_summary = await table_rows(pool, "stream_summary", "stream_id")
        after_activity = await table_rows(pool, "activity_daily", "category, day, event_type")
    assert [r for r in after_summary if str(r[0]).startswith("contact-")] == live_summary
    contact_activity = [r for r in after_activity if r[0] == "contact"]
    assert contact_activity == [r for r in live_activity if r[0] == "contact"]

    # And a rebuild from a quiet log is exactly the live state, row for row, with the same indexes.
    before_indexes = await pool.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'stream_summary' ORDER BY 1")
    before = await table_rows(pool, "stream_summary", "stream_id")
    await rebuild(pool, store, STREAM_SUMMARY)
    assert await table_rows(pool, "stream_summary", "stream_id") == before
    after_indexes = await pool.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'stream_summary' ORDER BY 1")
    assert after_indexes == before_indexes


async def test_sql_projection_filters_by_type_and_category(store: EventStore, pool: asyncpg.Pool) -> None:
    only_notes = SqlProjection(
        name="notes_only",
        mode=Mode.ASYNC,
        tables=("activity_daily",),
        event_types=frozenset({"NoteAdded"}),
        categories=frozenset({"contact"}),
        sql=ACTIVITY_DAILY.sql,
    )
    await store.append("contact-1", ANY, [NoteAdded(text="a"), Pinged(n=1)], meta())
    await store.append("student-1", ANY, [NoteAdded(text="b")], meta())
    async with pool.acquire() as conn:
        [status] = await projection_status(conn, [only_notes])
    assert status.lag_events == 1


async def test_python_inline_projection_shares_the_append_transaction(pool: asyncpg.Pool) -> None:
    seen: list[tuple[str, int]] = []

    async def apply(conn: Conn, events: Sequence[RecordedEvent], tables: Tables) -> None:
        # Inside the append's transaction: the events just written are visible here.
        assert conn.is_in_transaction()
        count = await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", events[0].stream_id)
        if any(isinstance(e.event, Pinged) and e.event.n < 0 for e in events):
            raise ValueError("negative pings are not allowed")
        seen.extend((e.stream_id, count) for e in events)

    counting = PyProjection(
        name="counting", mode=Mode.INLINE, tables=(), apply=apply, categories=frozenset({"contact"})
    )
    store = EventStore(pool, registry, inline=[STREAM_SUMMARY, counting])
    metadata = meta()
    await store.append("contact-1", ANY, [ContactAdded(contact_id="1", name="Ada"), Pinged(n=1)], metadata)
    await store.append("contact-1", ANY, [ContactAdded(contact_id="1", name="Ada"), Pinged(n=1)], metadata)  # retry
    await store.append("student-1", ANY, [Pinged(n=1)], meta())  # not its category
    assert seen == [("contact-1", 2), ("contact-1", 2)]

    # If the projection fails, the append fails with it: nothing is written.
    with pytest.raises(ValueError, match="negative"):
        await store.append("contact-2", ANY, [Pinged(n=-1)], meta())
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'contact-2'") == 0
    assert await pool.fetchval("SELECT count(*) FROM stream_summary WHERE stream_id = 'contact-2'") == 0
    await store.close()


async def insert_unknown_event(pool: asyncpg.Pool, stream_id: str, event_type: str) -> int:
    """What a superuser (or a newer release) could write: a type this code's registry does not know."""
    position: int = await pool.fetchval(
        "INSERT INTO events (stream_id, category, version, type, schema_version, data, actor_id, command_id,"
        " correlation_id, recorded_at, hash)"
        " SELECT $1, 'contact', coalesce(max(version), 0) + 1, $2, 1, '{}', 'mallory', gen_random_uuid(),"
        " gen_random_uuid(), now(), sha256('x') FROM events WHERE stream_id = $1 RETURNING position",
        stream_id,
        event_type,
    )
    return position


def decoding_projection(applied: list[int]) -> PyProjection:
    """An async Python projection of every event: it needs every event decoded."""

    async def apply(conn: Conn, events: Sequence[RecordedEvent], tables: Tables) -> None:
        applied.extend(e.position for e in events)

    return PyProjection(name="decoding", mode=Mode.ASYNC, tables=(), apply=apply)


async def test_an_event_of_an_unknown_type_is_reported_at_that_event_and_retried_with_backoff(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    before = [(await store.append("contact-1", ANY, [Pinged(n=n)], meta())).events[0].position for n in range(5)]
    poison = await insert_unknown_event(pool, "contact-1", "Bogus")
    for n in range(3):
        await store.append("contact-1", ANY, [Pinged(n=n)], meta())

    applied: list[int] = []
    waits: list[float] = []
    stop = asyncio.Event()

    async def retry_sleep(stop: asyncio.Event, seconds: float) -> None:
        waits.append(seconds)  # the schedule asked for; a short real wait keeps the test quick
        if len(waits) == 7:
            stop.set()
        await wait_or_stop(stop, 0.01)

    projector = Projector(
        database_url,
        store,
        [decoding_projection(applied)],
        poll_seconds=0.05,
        batch_size=10,
        max_backoff=16.0,
        retry_sleep=retry_sleep,
    )
    await asyncio.wait_for(projector.run(stop), 30)

    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 16.0, 16.0]
    assert applied == before  # everything before the poison, once; nothing after it
    async with pool.acquire() as conn:
        [status] = await projection_status(conn, [decoding_projection([])])
        checkpoint = await conn.fetchrow(
            "SELECT transaction_id::text AS tx, position FROM events WHERE position = $1", before[-1]
        )
    assert checkpoint is not None
    assert status.updated_at is not None
    assert status.failed_at is not None
    assert msgspec.structs.replace(status, updated_at=None, failed_at=None, lag_seconds=0.0) == ProjectionStatus(
        name="decoding",
        mode="async",
        state="failed",
        position=f"{checkpoint['tx']}.{checkpoint['position']}",
        lag_events=4,
        lag_seconds=0.0,
        failed_position=poison,
        error="backend.eventstore.events.UnknownEventTypeError: unknown event type 'Bogus'",
        failed_stream_id="contact-1",
        failed_version=6,
        failed_type="Bogus",
    )
