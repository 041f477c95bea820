"""Rebuild throughput: every projection replayed from the log, beside plain sequential reads of it.

    uv run python -m bench.rebuild [--quick] [--events N]

1. Seed 200,000 events (--quick: 100,000) through the store: `append_many` calls of 50 new streams of
   20 events each (so the inline stream_summary is kept as in production), a few writers at once,
   over three categories and two event types, all without personal data. Seeding is timed and
   printed, but it is not a figure of this bench.
2. `VACUUM (ANALYZE)` the log, as autovacuum would have long since done on a real one.
3. Time `backend.eventstore.rebuild.rebuild(pool, store, projection)` for each projection in
   `backend.registry.CORE_PROJECTIONS` (the generic ones: these events are synthetic), in events
   replayed per second (the swap is included).
4. The baseline, in the same run on the same log: `SELECT * FROM events ORDER BY transaction_id,
   position` through an asyncpg cursor 10,000 rows at a time (jsonb decoded, as the store's
   connections do), and the store's own `read_all` paging (1,000 events a page, decoded to
   RecordedEvent).

Goal printed: each rebuild at 25,000 events/s or more. The last line of stdout is one JSON object.
"""

import argparse
import asyncio
import time
from typing import Any

import asyncpg

from backend.eventstore import NO_STREAM, START, Event, EventStore, StreamWrite
from backend.eventstore.rebuild import rebuild
from backend.registry import CORE_PROJECTIONS, inline_projections
from bench.common import (
    REGISTRY,
    FollowUpScheduled,
    bench_database,
    machine_info,
    machine_line,
    metadata,
    note,
    open_pool,
    print_json,
    rate,
    table,
)

GOAL = 25_000  # events/s for every rebuild
STREAMS_PER_CALL = 50
EVENTS_PER_STREAM = 20
SEEDERS = 3
CATEGORIES = ("contact", "interview", "company")
CURSOR_CHUNK = 10_000
READ_ALL_PAGE = 1_000


def _events(stream_no: int) -> list[Event]:
    events: list[Event] = []
    for i in range(EVENTS_PER_STREAM):
        n = stream_no * EVENTS_PER_STREAM + i
        if i % 4 == 3:
            events.append(FollowUpScheduled(contact_id=f"c{n % 997}", due="2026-12-01", channel="email"))
        else:
            events.append(note(n))
    return events


async def seed(store: EventStore, total: int) -> float:
    """Append `total` events (rounded up to whole calls); returns the seconds it took."""
    per_call = STREAMS_PER_CALL * EVENTS_PER_STREAM
    calls = -(-total // per_call)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for call in range(calls):
        queue.put_nowait(call)

    async def seeder() -> None:
        while not queue.empty():
            call = queue.get_nowait()
            writes = []
            for s in range(STREAMS_PER_CALL):
                stream_no = call * STREAMS_PER_CALL + s
                category = CATEGORIES[stream_no % len(CATEGORIES)]
                writes.append(StreamWrite(f"{category}-seed{stream_no}", NO_STREAM, _events(stream_no)))
            await store.append_many(writes, metadata())

    started = time.perf_counter()
    await asyncio.gather(*(seeder() for _ in range(SEEDERS)))
    return time.perf_counter() - started


async def raw_read(pool: asyncpg.Pool) -> tuple[int, float]:
    """The whole log in global order through a server-side cursor."""
    started = time.perf_counter()
    count = 0
    async with pool.acquire() as conn, conn.transaction():
        cursor = await conn.cursor("SELECT * FROM events ORDER BY transaction_id, position")
        while rows := await cursor.fetch(CURSOR_CHUNK):
            count += len(rows)
    return count, time.perf_counter() - started


async def read_all(store: EventStore) -> tuple[int, float]:
    """The whole log through the store's paging, decoded to RecordedEvent."""
    started = time.perf_counter()
    count, after = 0, START
    while page := await store.read_all(after, READ_ALL_PAGE):
        count += len(page)
        after = page[-1].global_position
    return count, time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 events instead of 200,000")
    parser.add_argument("--events", type=int, help="how many events to seed (overrides --quick)")
    args = parser.parse_args()
    wanted = args.events or (100_000 if args.quick else 200_000)
    started = time.perf_counter()

    async with bench_database() as url:
        pool = await open_pool(url, SEEDERS + 2)
        store = EventStore(pool, REGISTRY, inline=inline_projections(CORE_PROJECTIONS))
        try:
            async with pool.acquire() as conn:
                info = await machine_info(conn)
            print(machine_line(info))
            seed_seconds = await seed(store, wanted)
            async with pool.acquire() as conn:
                seeded: int = await conn.fetchval("SELECT count(*) FROM events")
                await conn.execute("VACUUM (ANALYZE) events")
                size = await conn.fetchval("SELECT pg_size_pretty(pg_total_relation_size('events'))")
            print(
                f"mode: {'quick' if args.quick else 'full'}; seeded {seeded:,} events ({size} with indexes)"
                f" in {seed_seconds:.1f} s ({seeded / seed_seconds:,.0f} events/s, not a figure of this bench)"
            )

            figures: dict[str, dict[str, Any]] = {}
            count, seconds = await raw_read(pool)
            figures["raw_sql_read"] = {"events": count, "seconds": seconds}
            count, seconds = await read_all(store)
            figures["read_all"] = {"events": count, "seconds": seconds}
            for projection in CORE_PROJECTIONS:
                result = await rebuild(pool, store, projection)
                figures[f"rebuild_{projection.name}"] = {
                    "events": result.events,
                    "seconds": result.seconds,
                    "mode": projection.mode.value,
                }
        finally:
            await asyncio.sleep(0.05)  # let the store's debounced NOTIFY go out before closing
            await store.close()
            await pool.close()

    report(
        figures=figures,
        info=info,
        seeded=seeded,
        seed_seconds=seed_seconds,
        quick=args.quick,
        elapsed=time.perf_counter() - started,
    )


def report(
    *,
    figures: dict[str, dict[str, Any]],
    info: dict[str, Any],
    seeded: int,
    seed_seconds: float,
    quick: bool,
    elapsed: float,
) -> None:
    for f in figures.values():
        f["events_per_second"] = f["events"] / f["seconds"] if f["seconds"] > 0 else 0.0
    raw = figures["raw_sql_read"]["events_per_second"]
    labels = {
        "raw_sql_read": f"raw SQL read (cursor, {CURSOR_CHUNK:,}/fetch)",
        "read_all": f"store.read_all ({READ_ALL_PAGE:,}/page)",
    }
    rows = []
    ratios: dict[str, float] = {}
    goals: dict[str, dict[str, Any]] = {}
    for key, f in figures.items():
        ratio = f["events_per_second"] / raw if raw else 0.0
        ratios[key] = round(ratio, 3)
        verdict = ""
        if key.startswith("rebuild_"):
            met = f["events_per_second"] >= GOAL
            goals[key] = {"events_per_second": round(f["events_per_second"], 1), "goal": GOAL, "met": met}
            verdict = f"goal >= {GOAL:,}/s: " + ("met" if met else "MISSED")
        label = labels.get(key, f"rebuild {key.removeprefix('rebuild_')} ({f.get('mode')})")
        rows.append(
            [label, f"{f['events']:,}", f"{f['seconds']:.2f}", rate(f["events_per_second"]), f"{ratio:.2f}x", verdict]
        )
    print()
    print(table(["measurement", "events", "seconds", "events/s", "vs raw read", ""], rows))
    print()
    for key, g in goals.items():
        print(
            f"goal {key}: {g['events_per_second']:,.0f} events/s vs goal {GOAL:,} -> {'met' if g['met'] else 'MISSED'}"
        )
    print(f"(total {elapsed:.1f} s)")
    print_json(
        {
            "bench": "rebuild",
            "mode": "quick" if quick else "full",
            "machine": info,
            "events_seeded": seeded,
            "seed_seconds": round(seed_seconds, 2),
            "events_per_second": {k: round(f["events_per_second"], 1) for k, f in figures.items()},
            "seconds": {k: round(f["seconds"], 3) for k, f in figures.items()},
            "ratios_vs_raw_sql_read": ratios,
            "goals": goals,
            "elapsed_seconds": round(elapsed, 1),
        }
    )


if __name__ == "__main__":
    asyncio.run(main())
