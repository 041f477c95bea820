"""Runs projections over the log: one batch at a time, checkpoint and read model in one transaction.

The projector process runs every async projection. Several projectors may run; a session advisory
lock per projection makes one of them its owner, and when the owner dies its connection closes,
the lock frees, and a standby takes over at the next poll. Correctness does not rest on the lock:
every batch re-reads its checkpoint FOR UPDATE inside the transaction that writes the read model.
"""

import asyncio
import contextlib
import logging
import os
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

from backend.eventstore.columns import BATCH_COLUMNS
from backend.eventstore.projection import (
    Projection,
    SqlProjection,
    Tables,
)
from backend.eventstore.store import NOTIFY_CHANNEL, EventStore, init_connection
from backend.eventstore.types import START, Conn, GlobalPosition

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x5250  # "RP": the first key of every projection's advisory lock
CONNECTION_ERRORS = (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError)


@dataclass(frozen=True)
class Batch:
    count: int
    last: GlobalPosition


def _sql_batch(projection: SqlProjection, tables: Tables, horizon: bool) -> str:
    """The batch's events are selected and folded inside PostgreSQL: nothing crosses the wire."""
    columns = ", ".join(f"e.{c}" for c in BATCH_COLUMNS)
    safe = " AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())" if horizon else ""
    return (
        f"WITH batch AS MATERIALIZED (SELECT {columns} FROM events e"
        " WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2)"
        f"{safe}{projection.filter_sql('e')}"
        " ORDER BY e.transaction_id, e.position LIMIT $3),"
        f" applied AS ({projection.statement('batch', tables)})"
        " SELECT count(*) AS n, (SELECT transaction_id::text::bigint FROM batch"
        "  ORDER BY transaction_id DESC, position DESC LIMIT 1) AS tx,"
        " (SELECT position FROM batch ORDER BY transaction_id DESC, position DESC LIMIT 1) AS pos"
        " FROM batch"
    )


async def project_batch(
    conn: Conn,
    store: EventStore,
    projection: Projection,
    after: GlobalPosition,
    *,
    limit: int,
    tables: Tables | None = None,
    horizon: bool = True,
) -> Batch:
    """Fold up to `limit` events after `after` into `tables`. Call inside a transaction."""
    names = tables or projection.identity_tables()
    if isinstance(projection, SqlProjection):
        row = await conn.fetchrow(
            _sql_batch(projection, names, horizon), str(after.transaction_id), after.position, limit
        )
        if row is None or row["n"] == 0:
            return Batch(0, after)
        return Batch(row["n"], GlobalPosition(row["tx"], row["pos"]))
    events = await store.read_all(
        after,
        limit,
        types=projection.event_types,
        categories=projection.categories,
        conn=conn,
        horizon=horizon,
    )
    if not events:
        return Batch(0, after)
    await projection.apply(conn, events, names)
    return Batch(len(events), events[-1].global_position)


async def ensure_checkpoint(conn: Conn, name: str) -> None:
    await conn.execute("INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING", name)


async def read_checkpoint(conn: Conn, name: str, *, lock: bool = False) -> GlobalPosition:
    row = await conn.fetchrow(
        "SELECT transaction_id::text::bigint AS tx, position FROM projection_checkpoints WHERE name = $1"
        + (" FOR UPDATE" if lock else ""),
        name,
    )
    return START if row is None else GlobalPosition(row["tx"], row["position"])


async def write_checkpoint(conn: Conn, name: str, at: GlobalPosition) -> None:
    await conn.execute(
        "UPDATE projection_checkpoints SET transaction_id = $2::text::xid8, position = $3, updated_at = now(),"
        " failed_position = NULL, failed_at = NULL, error = NULL WHERE name = $1",
        name,
        str(at.transaction_id),
        at.position,
    )


class ProjectionFailedError(Exception):
    def __init__(self, name: str, position: int | None, error: str) -> None:
        super().__init__(f"projection {name} stopped at event {position}: {error}")
        self.name = name
        self.position = position
        self.error = error


async def step(conn: Conn, store: EventStore, projection: Projection, limit: int) -> int:
    """Run one batch of an async projection; on failure, find and record the event that fails.

    Returns how many events were applied. Raises ProjectionFailedError once the failing event is
    pinned down; everything before it is committed, so a fix resumes exactly there.
    """
    try:
        async with conn.transaction():
            after = await read_checkpoint(conn, projection.name, lock=True)
            batch = await project_batch(conn, store, projection, after, limit=limit)
            if batch.count:
                await write_checkpoint(conn, projection.name, batch.last)
            return batch.count
    except Exception as error:
        if isinstance(error, CONNECTION_ERRORS):
            raise
        # Any other failure is the projection's own: it stops this projection and no other.
        if limit > 1:
            # Commit the good events before the bad one, one at a time, to find the bad one.
            applied = 0
            for _ in range(limit):
                n = await step(conn, store, projection, 1)
                if n == 0:
                    break
                applied += n
            return applied
        failing = await _next_position(conn, projection)
        message = "".join(traceback.format_exception_only(error)).strip()
        await conn.execute(
            "UPDATE projection_checkpoints SET failed_position = $2, failed_at = now(), error = $3 WHERE name = $1",
            projection.name,
            failing,
            message,
        )
        log.exception("projection %s stopped at event %s", projection.name, failing, exc_info=error)
        raise ProjectionFailedError(projection.name, failing, message) from error


async def _next_position(conn: Conn, projection: Projection) -> int | None:
    """The position of the event the projection stopped at: read, never decoded.

    Decoding is what fails on an event of a type this code does not know, and this runs to record
    exactly that failure; it must not fail on it in turn.
    """
    after = await read_checkpoint(conn, projection.name)
    position: int | None = await conn.fetchval(
        "SELECT e.position FROM events e WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2)"
        f" AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot()){projection.filter_sql('e')}"
        " ORDER BY e.transaction_id, e.position LIMIT 1",
        str(after.transaction_id),
        after.position,
    )
    return position


Sleep = Callable[[asyncio.Event, float], Awaitable[None]]
"""Waits `seconds`, or less if the event is set."""


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def backoff(previous: float | None, ceiling: float) -> float:
    """The wait before the next retry of a failing projection: 1 s, doubling, up to `ceiling`."""
    return 1.0 if previous is None else min(previous * 2, ceiling)


_TRY_LOCK = f"SELECT pg_try_advisory_lock({LOCK_NAMESPACE}, hashtext('rapport.projection:' || $1))"


class Projector:
    """Keeps async projections up to date: woken by NOTIFY, polling as a fallback."""

    def __init__(
        self,
        dsn: str,
        store: EventStore,
        projections: Sequence[Projection],
        *,
        poll_seconds: float = 1.0,
        batch_size: int = 500,
        max_backoff: float = 300.0,
        retry_sleep: Sleep = wait_or_stop,
    ) -> None:
        """`retry_sleep` waits before each retry of a failing projection (a test records the schedule)."""
        self.dsn = dsn
        self.store = store
        self.projections = tuple(projections)
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.max_backoff = max_backoff
        self._retry_sleep = retry_sleep
        self._wake = {p.name: asyncio.Event() for p in self.projections}

    async def _open(self) -> asyncpg.Connection:
        # The OS pid in the application name lets an operator tell which process owns what.
        conn = await asyncpg.connect(self.dsn, server_settings={"application_name": f"rapport-projector-{os.getpid()}"})
        await init_connection(conn)
        return conn

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set."""
        tasks = [asyncio.create_task(self._listen(stop))]
        tasks += [asyncio.create_task(self._own(p, stop)) for p in self.projections]
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _wake_all(self, *_: object) -> None:
        for event in self._wake.values():
            event.set()

    async def _listen(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                conn = await self._open()
                try:
                    await conn.add_listener(NOTIFY_CHANNEL, self._wake_all)
                    while not stop.is_set() and not conn.is_closed():
                        await self._sleep(stop, self.poll_seconds)
                finally:
                    with contextlib.suppress(*CONNECTION_ERRORS):
                        await conn.close()
            except CONNECTION_ERRORS as error:
                log.warning("listener lost its connection (%s); polling until it is back", error)
                await self._sleep(stop, self.poll_seconds)

    async def _own(self, projection: Projection, stop: asyncio.Event) -> None:
        """Try to become this projection's owner; while owner, keep it up to date."""
        delay: float | None = None
        while not stop.is_set():
            try:
                conn = await self._open()
            except (*CONNECTION_ERRORS, asyncpg.PostgresError) as error:
                # Also "too many connections" or "the database is starting up": wait and retry.
                log.warning("projector cannot connect (%s)", error)
                await self._sleep(stop, self.poll_seconds)
                continue
            failed = False
            try:
                if await conn.fetchval(_TRY_LOCK, projection.name):
                    log.info("projector owns %s", projection.name)
                    await ensure_checkpoint(conn, projection.name)
                    await self._follow(conn, projection, stop)
                else:
                    await self._sleep(stop, self.poll_seconds)
            except CONNECTION_ERRORS as error:
                log.warning("projection %s lost its connection (%s)", projection.name, error)
            except Exception:
                # Never let one projection's task die silently: log, give up the lease, and try again,
                # backing off like a failing projection so a persistent fault does not flood the log.
                failed = True
                delay = backoff(delay, self.max_backoff)
                log.exception("projector task for %s failed; retrying in %.0f s", projection.name, delay)
            finally:
                with contextlib.suppress(*CONNECTION_ERRORS):
                    await conn.close()
            if failed and delay is not None:
                await self._retry_sleep(stop, delay)  # without the lease: a standby may do better
            else:
                delay = None

    async def _follow(self, conn: Conn, projection: Projection, stop: asyncio.Event) -> None:
        delay: float | None = None
        wake = self._wake[projection.name]
        while not stop.is_set():
            wake.clear()
            try:
                applied = await step(conn, self.store, projection, self.batch_size)
            except ProjectionFailedError as failure:
                delay = backoff(delay, self.max_backoff)
                log.warning("%s (retrying in %.0f s)", failure, delay)
                await self._retry_sleep(stop, delay)
                continue
            delay = None
            if applied < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self.poll_seconds)

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        await wait_or_stop(stop, seconds)
