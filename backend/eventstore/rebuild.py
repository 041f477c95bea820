"""Rebuild a projection from position zero into fresh tables while the old ones keep serving.

1. Create `rebuild_<table>` like each table, and replay the log into them in short transactions
   (short, so the rebuild never holds back every other reader's snapshot horizon).
2. In one transaction: stop the live writer of the projection (the checkpoint row for an async one,
   an exclusive lock on its tables for an inline one), replay what arrived meanwhile, swap the
   tables by renaming, give the new ones the old index names, and move the checkpoint.
Readers see the old tables until that transaction commits, then the new ones.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from backend.eventstore.projection import Mode, Projection
from backend.eventstore.runner import (
    ensure_checkpoint,
    project_batch,
    read_checkpoint,
    write_checkpoint,
)
from backend.eventstore.store import EventStore
from backend.eventstore.types import START, Conn

Progress = Callable[[int], None]
SHADOW_PREFIX = "rebuild_"


@dataclass(frozen=True)
class RebuildResult:
    name: str
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


async def count_events(conn: Conn, projection: Projection) -> int:
    total: int = await conn.fetchval(f"SELECT count(*) FROM events e WHERE true{projection.filter_sql('e')}")
    return total


async def rebuild(
    pool: asyncpg.Pool,
    store: EventStore,
    projection: Projection,
    *,
    batch_size: int = 20_000,
    progress: Progress | None = None,
) -> RebuildResult:
    """Replay every event into fresh tables for `projection`, then swap them in atomically."""
    shadows = {t: f"{SHADOW_PREFIX}{t}" for t in projection.tables}
    started = time.perf_counter()
    async with pool.acquire() as conn:
        for table, shadow in shadows.items():
            await conn.execute(f"DROP TABLE IF EXISTS {shadow}")
            await conn.execute(f"CREATE TABLE {shadow} (LIKE {table} INCLUDING ALL)")

        position, replayed = START, 0
        while True:
            async with conn.transaction():
                batch = await project_batch(conn, store, projection, position, limit=batch_size, tables=shadows)
            if batch.count == 0:
                break
            position, replayed = batch.last, replayed + batch.count
            if progress:
                progress(batch.count)

        async with conn.transaction():
            if projection.mode is Mode.ASYNC:
                await ensure_checkpoint(conn, projection.name)
                # Waits for the projector's current batch, and holds off its next one.
                await read_checkpoint(conn, projection.name, lock=True)
            else:
                # Waits for every append that wrote these tables, and holds off the next ones.
                await conn.execute(f"LOCK TABLE {', '.join(projection.tables)} IN ACCESS EXCLUSIVE MODE")
            while True:
                # With the writers held off, an inline projection's tables reflect every committed
                # event, so the catch-up takes them all; an async one keeps to the safe horizon.
                batch = await project_batch(
                    conn,
                    store,
                    projection,
                    position,
                    limit=batch_size,
                    tables=shadows,
                    horizon=projection.mode is Mode.ASYNC,
                )
                if batch.count == 0:
                    break
                position, replayed = batch.last, replayed + batch.count
                if progress:
                    progress(batch.count)
            for table, shadow in shadows.items():
                await _swap(conn, table, shadow)
            if projection.mode is Mode.ASYNC:
                await write_checkpoint(conn, projection.name, position)
    return RebuildResult(projection.name, replayed, time.perf_counter() - started)


_USING = re.compile(r" USING .*$")


async def _swap(conn: Conn, table: str, shadow: str) -> None:
    """Put `shadow` in the place of `table`, keeping the index names migrations know."""
    old = {
        _USING.search(row["indexdef"]).group(0): row["indexname"]  # type: ignore[union-attr]
        for row in await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1", table)
    }
    new = {
        _USING.search(row["indexdef"]).group(0): row["indexname"]  # type: ignore[union-attr]
        for row in await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1", shadow)
    }
    await conn.execute(f"DROP TABLE {table}")
    await conn.execute(f"ALTER TABLE {shadow} RENAME TO {table}")
    for definition, name in new.items():
        if definition in old:
            # Renaming a constraint's index renames the constraint with it.
            await conn.execute(f'ALTER INDEX "{name}" RENAME TO "{old[definition]}"')
