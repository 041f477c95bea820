"""A reader following the global log never skips an event that commits late with a lower position."""

import asyncio
import uuid

import asyncpg
import pytest

from backend.audit.activity import ACTIVITY_DAILY
from backend.eventstore import ANY, START, EventStore, Metadata
from backend.eventstore.runner import Projector
from tests.events import Pinged

pytestmark = pytest.mark.integration


def meta() -> Metadata:
    return Metadata(actor_id="student-1", command_id=uuid.uuid4())


async def test_out_of_order_commit_is_delivered_not_skipped(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    async with pool.acquire() as conn_a:
        transaction_a = conn_a.transaction()
        await transaction_a.start()
        # A takes the lower position first but does not commit yet.
        a = await store.append("contact-a", ANY, [Pinged(n=1)], meta(), conn=conn_a)
        b = await store.append("contact-b", ANY, [Pinged(n=2)], meta())  # B commits at once
        assert a.positions[0] < b.positions[0]

        # Between the two commits: B is visible with a higher position than A. A reader ordered by
        # position alone would deliver B now and move its checkpoint past A, losing A for good.
        visible = await pool.fetch("SELECT position FROM events ORDER BY position")
        assert [r["position"] for r in visible] == b.positions
        polled_between = await store.read_all(START)
        assert polled_between == []  # held back, not skipped

        await transaction_a.commit()

    delivered = await store.read_all(START)
    assert [e.position for e in delivered] == a.positions + b.positions

    # An async projection following the log counts both.
    stop = asyncio.Event()
    projector = Projector(database_url, store, [ACTIVITY_DAILY], poll_seconds=0.05)
    task = asyncio.create_task(projector.run(stop))
    try:
        for _ in range(200):
            total = await pool.fetchval("SELECT coalesce(sum(events), 0) FROM activity_daily")
            if total == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    assert await pool.fetchval("SELECT sum(events) FROM activity_daily WHERE event_type = 'Pinged'") == 2


async def test_a_follower_polling_while_writers_race_sees_every_event_once(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    writers, per_writer = 8, 40
    done = asyncio.Event()
    seen: list[int] = []

    async def write(w: int) -> None:
        for n in range(per_writer):
            await store.append(f"contact-{w}", ANY, [Pinged(n=n)], meta())

    async def follow() -> None:
        position = START
        while True:
            finished = done.is_set()
            batch = await store.read_all(position, 50)
            seen.extend(e.position for e in batch)
            if batch:
                position = batch[-1].global_position
            elif finished:
                return
            await asyncio.sleep(0)

    follower = asyncio.create_task(follow())
    await asyncio.gather(*(write(w) for w in range(writers)))
    done.set()
    await follower
    assert sorted(seen) == sorted(set(seen))
    assert len(seen) == writers * per_writer
