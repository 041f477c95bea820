"""What both benchmarks share: a throwaway database, the bench's events, timed writer loops, output.

The database: with DATABASE_URL set, a new database `rapport_bench_<random>` on that server; otherwise
the embedded PostgreSQL under `$RAPPORT_DATA_DIR/bench` (default `.data/bench`). Either way it is
migrated with Alembic like a real one, and dropped at the end, even after an error.

Timing: every writer loops over one operation from a shared start time; operations that finish
inside the window [t0, t1] are counted, the ones before t0 are the warm-up. Wall-clock times
(`time.time()`) are comparable across processes, so writers in several processes share one window.
"""

import asyncio
import contextlib
import hashlib
import itertools
import json
import os
import platform
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec

from backend.config import load_settings, to_asyncpg_dsn
from backend.eventstore import Event, EventRegistry, EventStore, Metadata, Personal, init_connection
from backend.eventstore.columns import BATCH_COLUMNS
from backend.eventstore.types import Conn
from backend.infra import migrate
from backend.infra.db import create_pool, keep_session
from backend.registry import CORE_PROJECTIONS, event_registry, inline_projections

# -- the bench's events ------------------------------------------------------------------------


class NoteTaken(Event, frozen=True):
    """A note on a contact after an informational interview; no personal data."""

    contact_id: str
    topic: str
    text: str
    minutes: int
    follow_up: bool


class PrivateNoteTaken(Event, frozen=True):
    """The same note whose text is personal data: sealed with the stream's subject key."""

    contact_id: str
    topic: str
    text: Personal[str]
    minutes: int
    follow_up: bool


class FollowUpScheduled(Event, frozen=True):
    contact_id: str
    due: str
    channel: str


REGISTRY = EventRegistry([NoteTaken, PrivateNoteTaken, FollowUpScheduled])

_TEXT = (
    "Talked about how the team moved from consulting into product work, what a first year looks like,"
    " which skills mattered most in hiring, and who else might be worth a conversation next month."
)
ACTOR = "student-bench"
EXTRA = {"client": "bench", "ip": "127.0.0.1"}


def note(n: int, *, personal: bool = False) -> Event:
    cls = PrivateNoteTaken if personal else NoteTaken
    return cls(contact_id=f"c{n % 997}", topic="career paths", text=_TEXT, minutes=20 + n % 40, follow_up=n % 3 == 0)


def metadata() -> Metadata:
    return Metadata(actor_id=ACTOR, command_id=uuid.uuid4(), extra=EXTRA)


# -- the database --------------------------------------------------------------------------------

BARE_TABLE = "bench_bare_events"
BARE_COLUMNS = (*(c for c in BATCH_COLUMNS if c not in ("position", "transaction_id")), "hash")
_BARE_INSERT = (
    f"INSERT INTO {BARE_TABLE} ({', '.join(BARE_COLUMNS)})"
    f" VALUES ({', '.join(f'${i}' for i in range(1, len(BARE_COLUMNS) + 1))})"
)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.asynccontextmanager
async def bench_database() -> AsyncIterator[str]:
    """A fresh, migrated database for one bench run, dropped afterwards."""
    name = f"rapport_bench_{uuid.uuid4().hex[:10]}"
    settings = load_settings()
    if settings.database_url is not None:
        admin_url = to_asyncpg_dsn(settings.database_url)
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = with_database(admin_url, name)
    else:
        from backend.infra.embedded import ensure_embedded_database

        url = await asyncio.to_thread(ensure_embedded_database, settings.data_dir / "bench", name)
        admin_url = with_database(url, "postgres")
    try:
        await migrate.upgrade(url)
        yield url
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.asynccontextmanager
async def seeding(url: str, pool_size: int) -> AsyncIterator[tuple[asyncpg.Pool, EventStore, dict[str, Any]]]:
    """Rapport's pool and event store (its inline projections) for seeding, and the machine's info, printed.

    Both are closed at the end, once the store's debounced NOTIFY has gone out.
    """
    pool = await create_pool(url, pool_size)
    store = EventStore(pool, event_registry(), inline=inline_projections())
    try:
        async with pool.acquire() as conn:
            info = await machine_info(conn)
        print(machine_line(info), flush=True)
        yield pool, store, info
    finally:
        await asyncio.sleep(0.05)  # let the store's debounced NOTIFY go out before closing
        await store.close()
        await pool.close()


async def settle(conn: Conn) -> None:
    """After seeding: `VACUUM (ANALYZE)`, as autovacuum would have done by now, then a checkpoint.

    The checkpoint writes the seeding's WAL out now, so that it does not land in a measured load.
    """
    await conn.execute("VACUUM (ANALYZE)")
    await conn.execute("CHECKPOINT")


async def create_bare_table(conn: Conn) -> None:
    """The baseline's table: `events`' columns, defaults, identity, CHECKs and indexes.

    LIKE copies neither triggers nor foreign keys, and nothing calls a function on insert but the
    `transaction_id` default, so a row costs PostgreSQL what the bare log row costs.
    """
    await conn.execute(f"CREATE TABLE {BARE_TABLE} (LIKE events INCLUDING ALL)")


async def init_raw_connection(conn: asyncpg.Connection) -> None:
    """The baseline's jsonb codec: the same msgspec JSON, in binary format (COPY needs binary)."""
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: b"\x01" + msgspec.json.encode(value),
        decoder=lambda data: msgspec.json.decode(data[1:]),
        format="binary",
    )


async def open_pool(url: str, size: int, *, raw: bool = False) -> asyncpg.Pool:
    """All `size` connections opened up front, so no writer pays for a connect in the window."""
    # The same pool settings as Rapport's own (backend.infra.db): no reset round trip on release.
    pool = await asyncpg.create_pool(
        url, min_size=size, max_size=size, init=init_raw_connection if raw else init_connection, reset=keep_session
    )
    assert pool is not None  # noqa: S101 - create_pool returns None only when not awaited
    return pool


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


async def machine_info(conn: Conn) -> dict[str, Any]:
    settings = {
        name: await conn.fetchval(f"SHOW {name}")
        for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers", "max_wal_size")
    }
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "asyncpg": asyncpg.__version__,
        "postgres": settings.pop("server_version"),
        "server": "DATABASE_URL" if load_settings().database_url else "embedded (pgserver)",
        **settings,
    }


def machine_line(info: Mapping[str, Any]) -> str:
    return (
        f"machine: {info['cores']} cores ({info['cpu']}), Python {info['python']}, asyncpg {info['asyncpg']},"
        f" PostgreSQL {info['postgres']} [{info['server']}; fsync={info['fsync']},"
        f" synchronous_commit={info['synchronous_commit']}, shared_buffers={info['shared_buffers']}]"
    )


# -- writer loops --------------------------------------------------------------------------------

Op = Callable[[], Awaitable[int]]
"""One operation of a writer (an append, an INSERT, a COPY); returns how many events it wrote."""


@dataclass
class Tally:
    events: int = 0
    ops: int = 0
    latencies: list[float] = field(default_factory=list)
    late: bool = False  # a writer was not ready when the warm-up began

    def merge(self, other: "Tally") -> None:
        self.events += other.events
        self.ops += other.ops
        self.latencies += other.latencies
        self.late = self.late or other.late


async def drive(ops: Sequence[Op], t0: float, t1: float) -> Tally:
    """Run every op in a loop of its own until t1; count what completes within [t0, t1]."""
    tally = Tally()

    async def loop(op: Op) -> None:
        while time.time() < t1:
            started = time.perf_counter()
            n = await op()
            ended = time.time()
            if t0 <= ended <= t1:
                tally.events += n
                tally.ops += 1
                tally.latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(loop(op) for op in ops))
    return tally


@dataclass(frozen=True)
class Job:
    """One process's share of a measurement: `writers` writers, numbered from `first`."""

    kind: str  # store | store_personal | raw | store_batch | copy
    url: str
    tag: str
    first: int
    writers: int
    batch: int
    start: float  # warm-up begins
    t0: float  # window opens
    t1: float  # window closes


def _raw_row(stream_id: str, version: int, event: Event) -> tuple[Any, ...]:
    data: dict[str, Any] = msgspec.to_builtins(event)
    data.pop("type", None)
    command_id = uuid.uuid4()
    return (
        stream_id,
        stream_id.split("-", 1)[0],
        version,
        type(event).__name__,
        1,
        data,
        EXTRA,
        ACTOR,
        command_id,
        command_id,
        None,
        datetime.now(UTC),
        hashlib.sha256(command_id.bytes).digest(),
    )


def _store_op(store: EventStore, stream_id: str, batch: int, personal: bool) -> Op:
    """Appends `batch` events per call to the writer's own stream, expecting its exact version."""
    version = 0
    counter = itertools.count()

    async def op() -> int:
        nonlocal version
        events = [note(next(counter), personal=personal) for _ in range(batch)]
        await store.append(stream_id, version, events, metadata())
        version += batch
        return batch

    return op


def _insert_op(pool: asyncpg.Pool, stream_id: str) -> Op:
    """One autocommit INSERT of one row per call."""
    version = 0
    counter = itertools.count()

    async def op() -> int:
        nonlocal version
        version += 1
        row = _raw_row(stream_id, version, note(next(counter)))
        async with pool.acquire() as conn:
            await conn.execute(_BARE_INSERT, *row)
        return 1

    return op


def _copy_op(pool: asyncpg.Pool, stream_id: str, batch: int) -> Op:
    """One COPY of `batch` rows per call (binary COPY, autocommit)."""
    version = 0
    counter = itertools.count()

    async def op() -> int:
        nonlocal version
        rows = [_raw_row(stream_id, version + i, note(next(counter))) for i in range(1, batch + 1)]
        version += batch
        async with pool.acquire() as conn:
            await conn.copy_records_to_table(BARE_TABLE, records=rows, columns=BARE_COLUMNS)
        return batch

    return op


async def run_job(job: Job) -> Tally:
    raw = job.kind in ("raw", "copy")
    # Two spare connections: the store's debounced NOTIFY after commits takes one from the pool.
    pool = await open_pool(job.url, job.writers + (0 if raw else 2), raw=raw)
    store = EventStore(pool, REGISTRY, inline=inline_projections(CORE_PROJECTIONS))
    try:
        streams = [f"contact-{job.tag}w{job.first + i}" for i in range(job.writers)]
        ops: list[Op]
        if job.kind == "raw":
            ops = [_insert_op(pool, s) for s in streams]
        elif job.kind == "copy":
            ops = [_copy_op(pool, s, job.batch) for s in streams]
        else:
            ops = [_store_op(store, s, job.batch, job.kind == "store_personal") for s in streams]
        late = time.time() > job.start
        await asyncio.sleep(max(0.0, job.start - time.time()))
        tally = await drive(ops, job.t0, job.t1)
        tally.late = tally.late or late
        return tally
    finally:
        # EventStore.close() awaits NOTIFYs already started, not one still waiting on its timer.
        await asyncio.sleep(0 if raw else 0.05)
        await store.close()
        await pool.close()


def run_job_in_process(job: Job) -> Tally:
    """Entry point of a worker process."""
    return asyncio.run(run_job(job))


def warm_process() -> int:
    """Make a worker process import everything before the first measurement."""
    time.sleep(0.2)
    return os.getpid()


# -- results and output ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    events: int
    ops: int
    seconds: float
    p50_ms: float | None = None
    p99_ms: float | None = None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figure(name: str, tally: Tally, seconds: float) -> Figure:
    p50, p99 = percentile(tally.latencies, 0.5), percentile(tally.latencies, 0.99)
    return Figure(
        name,
        tally.events,
        tally.ops,
        seconds,
        None if p50 is None else p50 * 1000,
        None if p99 is None else p99 * 1000,
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain text columns: figures right-aligned, words left-aligned."""
    widths = [max(len(c) for c in column) for column in zip(headers, *rows, strict=True)]
    numeric = [all(r[i][:1].isdigit() or r[i] in ("", "-") for r in rows) for i in range(len(headers))]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)])


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def rate(value: float) -> str:
    return f"{value:,.0f}"


def print_json(payload: Mapping[str, Any]) -> None:
    """The last line of stdout: one JSON object with every figure."""
    print(json.dumps(payload, separators=(",", ":"), sort_keys=False), flush=True)
