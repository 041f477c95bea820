"""Real `rapport projector` processes: killed mid-batch, replaced when dead, one owner at a time."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import pytest

from backend.audit.activity import ACTIVITY_DAILY
from backend.eventstore import ANY, EventStore, Metadata, StreamWrite
from backend.eventstore.rebuild import rebuild
from backend.eventstore.runner import LOCK_NAMESPACE
from tests.events import Pinged

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@contextmanager
def projector_process(database_url: str, batch_size: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "DATABASE_URL": database_url, "RAPPORT_PROJECTOR_POLL_SECONDS": "0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "projector", "--batch-size", str(batch_size)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


async def seed(store: EventStore, events: int) -> None:
    per_append = 100
    for start in range(0, events, per_append):
        writes = [StreamWrite(f"contact-{start + i}", ANY, [Pinged(n=start + i)]) for i in range(per_append)]
        await store.append_many(writes, Metadata(actor_id="seed", command_id=uuid.uuid4()))


async def checkpoint(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(sum(events), 0) FROM activity_daily"))


async def wait_for(pool: asyncpg.Pool, query: str, within: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await pool.fetchval(query):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for: {query}")
        await asyncio.sleep(0.002)


OWNERS = (
    f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {LOCK_NAMESPACE}"
    " AND objid::int = hashtext('rapport.projection:activity_daily') AND objsubid = 2"
)


async def test_sigkill_mid_batch_then_restart_equals_a_fresh_rebuild(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    total = 20_000
    await seed(store, total)
    with projector_process(database_url, batch_size=250) as first:
        # Wait until the projector is inside a batch transaction that has written rows, then kill it.
        await wait_for(
            pool,
            "SELECT true FROM pg_stat_activity WHERE state IN ('active', 'idle in transaction')"
            f" AND application_name = 'rapport-projector-{first.pid}'"
            " AND query LIKE 'WITH batch AS MATERIALIZED%' AND xact_start IS NOT NULL",
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    killed_at = await checkpoint(pool)
    assert killed_at < total, "the projector finished before it could be killed"

    with projector_process(database_url, batch_size=250):
        await wait_for(pool, f"SELECT coalesce(sum(events), 0) = {total} FROM activity_daily")
    live = [tuple(r) for r in await pool.fetch("SELECT * FROM activity_daily ORDER BY 1, 2, 3")]

    await rebuild(pool, store, ACTIVITY_DAILY)
    rebuilt = [tuple(r) for r in await pool.fetch("SELECT * FROM activity_daily ORDER BY 1, 2, 3")]
    assert live == rebuilt
    assert sum(int(r[3]) for r in rebuilt) == total


async def test_one_owner_at_a_time_and_a_dead_owner_is_replaced(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    await seed(store, 500)
    with projector_process(database_url, 100) as one, projector_process(database_url, 100) as two:
        await wait_for(pool, "SELECT coalesce(sum(events), 0) = 500 FROM activity_daily")
        assert await pool.fetchval(OWNERS) == 1
        owner = await pool.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            f" WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {LOCK_NAMESPACE}"
            " AND l.objid::int = hashtext('rapport.projection:activity_daily')"
        )
        owner_pid = int(owner.rsplit("-", 1)[1])
        assert owner_pid in (one.pid, two.pid)
        dead, standby = (one, two) if owner_pid == one.pid else (two, one)
        dead.send_signal(signal.SIGKILL)
        dead.wait(10)
        assert standby.poll() is None
        # The standby takes the lease once PostgreSQL notices the dead owner's connection is gone.
        await wait_for(
            pool,
            f"SELECT ({OWNERS}) = 1 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity"
            f" WHERE application_name = 'rapport-projector-{owner_pid}')",
        )
        await seed(store, 300)
        await wait_for(pool, "SELECT coalesce(sum(events), 0) = 800 FROM activity_daily")
        assert await pool.fetchval(OWNERS) == 1
