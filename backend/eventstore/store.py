"""The event store: append, read a stream, read the global log, forget a data subject."""

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from backend.eventstore import codec
from backend.eventstore.errors import (
    CommandReusedError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)
from backend.eventstore.events import Event, EventRegistry
from backend.eventstore.projection import (
    BATCH_COLUMNS,
    Mode,
    Projection,
    PyProjection,
    SqlProjection,
)
from backend.eventstore.types import (
    START,
    AppendResult,
    Conn,
    ExpectedVersion,
    GlobalPosition,
    Metadata,
    RecordedEvent,
    StreamState,
    StreamWrite,
    category_of,
)

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "rapport_events"
_KEY_RETRIES = 3

# Every read returns the same columns, in the order `_recorded` expects.
EVENT_COLUMNS = (
    "position, transaction_id::text::bigint, stream_id, category, version, type, schema_version,"
    " data, metadata, actor_id, command_id, correlation_id, causation_id, recorded_at"
)

_APPEND_CALL = "rapport_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
_APPEND_COLUMNS = (
    "out_position, out_transaction_id::text::bigint, out_stream_id, out_category, out_version,"
    " out_type, out_schema_version, out_data, out_metadata, out_actor_id, out_command_id,"
    " out_correlation_id, out_causation_id, out_recorded_at"
)


async def init_connection(conn: Conn) -> None:
    """Codecs every Rapport connection uses: jsonb as Python objects, via msgspec."""
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        format="text",
    )


def fused_append_sql(projections: Sequence[SqlProjection]) -> str:
    """The append and every inline SQL projection as one statement: one round trip, one transaction.

    Data-modifying CTEs run exactly once and to completion, and the function's exception (a stale
    version, say) aborts the whole statement, projections included.
    """
    renames = ", ".join(
        f"{src} AS {dst}"
        for src, dst in zip(_APPEND_COLUMNS.replace("::text::bigint", "").split(", "), BATCH_COLUMNS, strict=True)
    )
    parts = [
        f"WITH appended AS MATERIALIZED (SELECT * FROM {_APPEND_CALL})",
        f"batch AS (SELECT {renames} FROM appended WHERE NOT out_duplicate)",
    ]
    for i, projection in enumerate(projections):
        parts.append(f"batch_{i} AS (SELECT * FROM batch b WHERE true{projection.filter_sql('b')})")
        parts.append(f"project_{i} AS ({projection.statement(f'batch_{i}')})")
    return ",\n".join(parts) + f"\nSELECT {_APPEND_COLUMNS}, out_duplicate FROM appended ORDER BY out_position"


class EventStore:
    """Streams of events in PostgreSQL. Safe to share across tasks: it holds a pool, not a connection."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        registry: EventRegistry,
        inline: Iterable[Projection] = (),
        notify_delay: float = 0.005,
    ) -> None:
        self.pool = pool
        self.registry = registry
        self.inline = tuple(inline)
        if any(p.mode is not Mode.INLINE for p in self.inline):
            raise ValueError("only inline projections run in the append's transaction")
        self._sql_inline = tuple(p for p in self.inline if isinstance(p, SqlProjection))
        self._py_inline = tuple(p for p in self.inline if isinstance(p, PyProjection))
        self._append_sql = fused_append_sql(self._sql_inline)
        self._notify_delay = notify_delay
        self._notify_pending = False
        self._background: set[asyncio.Task[None]] = set()

    # -- writing -------------------------------------------------------------------------------

    async def append(
        self,
        stream_id: str,
        expected_version: ExpectedVersion,
        events: Sequence[Event],
        metadata: Metadata,
        *,
        conn: Conn | None = None,
    ) -> AppendResult:
        """Append `events` to one stream if it is at `expected_version`; atomic and idempotent."""
        return await self.append_many([StreamWrite(stream_id, expected_version, list(events))], metadata, conn=conn)

    async def append_many(
        self,
        writes: Sequence[StreamWrite],
        metadata: Metadata,
        *,
        conn: Conn | None = None,
    ) -> AppendResult:
        """Append to several streams in one transaction, under one command id."""
        if not writes or not all(w.events for w in writes):
            raise ValueError("an append needs at least one event for each stream it names")
        if len({w.stream_id for w in writes}) != len(writes):
            raise ValueError("name each stream once per append")
        if conn is not None:
            return await self._append(conn, writes, metadata)
        async with self.pool.acquire() as acquired:
            return await self._append(acquired, writes, metadata)

    async def _append(self, conn: Conn, writes: Sequence[StreamWrite], metadata: Metadata) -> AppendResult:
        categories = [category_of(w.stream_id) for w in writes]
        subjects = {
            subject
            for w in writes
            for event in w.events
            for subject in codec.subjects_of(self.registry.of(event), event, w.stream_id).values()
        }
        keys = await self._live_keys(conn, subjects) if subjects else {}

        event_stream: list[int] = []
        types: list[str] = []
        versions: list[int] = []
        data: list[dict[str, Any]] = []
        digestible: list[Any] = []
        originals: list[Event] = []
        for index, write in enumerate(writes, start=1):
            for event in write.events:
                event_type = self.registry.of(event)
                stored, digest_form = codec.seal(event_type, event, write.stream_id, keys)
                event_stream.append(index)
                types.append(event_type.name)
                versions.append(event_type.schema_version)
                data.append(stored)
                digestible.append([write.stream_id, event_type.name, event_type.schema_version, digest_form])
                originals.append(event)
        digest = hashlib.sha256(
            codec.canonical_json(
                [
                    digestible,
                    metadata.actor_id,
                    metadata.correlation,
                    metadata.causation_id,
                    metadata.extra,
                ]
            )
        ).digest()
        args = (
            metadata.command_id,
            digest,
            [w.stream_id for w in writes],
            categories,
            [_expected_code(w.expected_version) for w in writes],
            event_stream,
            types,
            versions,
            data,
            [metadata.extra] * len(types),
            metadata.actor_id,
            metadata.correlation,
            metadata.causation_id,
            sorted(subjects),
        )
        try:
            if self._py_inline and not conn.is_in_transaction():
                async with conn.transaction():
                    rows = await self._append_and_project(conn, args)
            else:
                rows = await self._append_and_project(conn, args)
        except asyncpg.PostgresError as error:
            state = getattr(error, "sqlstate", None)
            if state in ("RP001", "RP004") and not conn.is_in_transaction() and await self._known(conn, metadata):
                # We lost a race against the same command id: appending again now returns the
                # original positions (or refuses a different payload), inside the function.
                return await self._append(conn, writes, metadata)
            typed = _typed_error(error, writes, metadata)
            if typed is error:
                raise
            raise typed from error

        duplicate = bool(rows) and rows[0]["out_duplicate"]
        if duplicate:
            recorded = await self._decode_rows(conn, rows)
        else:
            recorded = [_recorded(row, event) for row, event in zip(rows, originals, strict=True)]
            self._poke_projectors()
        return AppendResult(events=recorded, duplicate=duplicate)

    async def _append_and_project(self, conn: Conn, args: tuple[Any, ...]) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(self._append_sql, *args)
        if self._py_inline and rows and not rows[0]["out_duplicate"]:
            recorded = await self._decode_rows(conn, rows)
            for projection in self._py_inline:
                wanted = [e for e in recorded if projection.wants(e.type, e.category)]
                if wanted:
                    await projection.apply(conn, wanted, projection.identity_tables())
        return rows

    @staticmethod
    async def _known(conn: Conn, metadata: Metadata) -> bool:
        found = await conn.fetchval("SELECT true FROM commands WHERE command_id = $1", metadata.command_id)
        return bool(found)

    async def _live_keys(self, conn: Conn, subjects: set[str]) -> dict[str, bytes]:
        """The key of each subject, created on first use; refuses subjects already forgotten."""
        wanted = sorted(subjects)
        found: dict[str, bytes | None] = {}
        for _ in range(_KEY_RETRIES):
            missing = [s for s in wanted if s not in found]
            rows = await conn.fetch(
                """
                WITH wanted AS (SELECT * FROM unnest($1::text[], $2::bytea[]) AS w(subject, key)),
                created AS (
                    INSERT INTO subject_keys (subject, key)
                    SELECT subject, key FROM wanted ON CONFLICT (subject) DO NOTHING
                    RETURNING subject, key
                )
                SELECT subject, key FROM created
                UNION ALL
                SELECT k.subject, k.key FROM subject_keys k
                WHERE k.subject = ANY ($1) AND k.subject NOT IN (SELECT subject FROM created)
                """,
                missing,
                [codec.new_key() for _ in missing],
            )
            found.update({row["subject"]: row["key"] for row in rows})
            # A key created by a transaction that committed after our snapshot: look again.
            if all(s in found for s in wanted):
                break
        forgotten = frozenset(s for s in wanted if found.get(s) is None)
        if forgotten:
            raise SubjectForgottenError(forgotten)
        return {s: k for s, k in found.items() if k is not None}

    def _poke_projectors(self) -> None:
        """Wake async projectors soon after this commit, at most once per `notify_delay`.

        NOTIFY inside the append would take PostgreSQL's global notify lock at every commit and
        serialise all writers; a debounced NOTIFY after commit costs writers nothing. If it is lost
        (a crash between commit and notify) the projectors' polling still finds the events.
        """
        if self._notify_pending:
            return
        self._notify_pending = True
        loop = asyncio.get_running_loop()
        loop.call_later(self._notify_delay, self._spawn_notify)

    def _spawn_notify(self) -> None:
        task = asyncio.ensure_future(self._notify())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _notify(self) -> None:
        self._notify_pending = False
        try:
            async with self.pool.acquire() as conn:
                await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as error:
            log.warning("could not notify projectors (they will poll): %s", error)

    async def close(self) -> None:
        """Send any pending notification before the pool goes away."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # -- reading -------------------------------------------------------------------------------

    async def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        *,
        as_of: datetime | None = None,
        conn: Conn | None = None,
    ) -> list[RecordedEvent]:
        """Events of one stream in version order; `as_of` keeps those recorded at or before it."""
        query = (
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version >= $2"
            " AND ($3::bigint IS NULL OR version <= $3) AND ($4::timestamptz IS NULL OR recorded_at <= $4)"
            " ORDER BY version"
        )
        if conn is not None:
            return await self._decode_rows(conn, await conn.fetch(query, stream_id, from_version, to_version, as_of))
        async with self.pool.acquire() as acquired:
            rows = await acquired.fetch(query, stream_id, from_version, to_version, as_of)
            return await self._decode_rows(acquired, rows)

    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        async with self.pool.acquire() as conn:
            version = await conn.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream_id)
        return int(version or 0)

    async def read_all(
        self,
        after: GlobalPosition = START,
        limit: int = 1000,
        *,
        types: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        conn: Conn | None = None,
        horizon: bool = True,
    ) -> list[RecordedEvent]:
        """Events after `after` in the global order a follower can trust.

        Only events of transactions older than every transaction still running are returned: a
        transaction that took a lower position but has not committed yet holds the reader back
        instead of being skipped (the bug Marten and Emmett both had). `horizon=False` drops that
        rule; only `rebuild` uses it, while it holds a lock that keeps every writer out.
        """
        safe = " AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())" if horizon else ""
        query = (
            f"SELECT {EVENT_COLUMNS} FROM events"
            " WHERE (transaction_id, position) > ($1::text::xid8, $2)"
            f"{safe}"
            " AND ($4::text[] IS NULL OR type = ANY ($4)) AND ($5::text[] IS NULL OR category = ANY ($5))"
            " ORDER BY transaction_id, position LIMIT $3"
        )
        args = (
            str(after.transaction_id),
            after.position,
            limit,
            None if types is None else list(types),
            None if categories is None else list(categories),
        )
        if conn is not None:
            return await self._decode_rows(conn, await conn.fetch(query, *args))
        async with self.pool.acquire() as acquired:
            return await self._decode_rows(acquired, await acquired.fetch(query, *args))

    async def _decode_rows(self, conn: Conn, rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
        subjects = set().union(*(codec.sealed_subjects(row[7]) for row in rows)) if rows else set()
        keys: dict[str, bytes | None] = {}
        if subjects:
            found = await conn.fetch("SELECT subject, key FROM subject_keys WHERE subject = ANY ($1)", list(subjects))
            keys = {row["subject"]: row["key"] for row in found}
        decoded = []
        for row in rows:
            data, redacted = codec.unseal(row[5], dict(row[7]), keys)
            event = codec.decode_event(self.registry, row[5], row[6], data)
            decoded.append(_recorded(row, event, redacted))
        return decoded

    # -- erasure -------------------------------------------------------------------------------

    async def forget(self, subject: str) -> bool:
        """Destroy the subject's key: its personal fields read as REDACTED from now on, everywhere.

        Returns False when the subject had already been forgotten. The row stays as a tombstone so
        personal data can never again be written under that subject.
        """
        async with self.pool.acquire() as conn:
            previous = await conn.fetchval(
                """
                WITH old AS (SELECT subject, key FROM subject_keys WHERE subject = $1 FOR UPDATE),
                upsert AS (
                    INSERT INTO subject_keys AS k (subject, key, forgotten_at) VALUES ($1, NULL, now())
                    ON CONFLICT (subject) DO UPDATE SET key = NULL, forgotten_at = coalesce(k.forgotten_at, now())
                )
                SELECT coalesce((SELECT key IS NOT NULL FROM old), true)
                """,
                subject,
            )
            # The destroyed key survives as a dead row version until VACUUM reclaims it.
            await conn.execute("VACUUM subject_keys")
        return bool(previous)


def _typed_error(error: asyncpg.PostgresError, writes: Sequence[StreamWrite], metadata: Metadata) -> Exception:
    """The append function's SQLSTATEs as the store's own errors; anything else as it came."""
    state = getattr(error, "sqlstate", None)
    if state == "RP001":
        stream_id = getattr(error, "hint", None) or writes[0].stream_id
        expected = next((w.expected_version for w in writes if w.stream_id == stream_id), None)
        return WrongExpectedVersionError(stream_id, expected, int(getattr(error, "detail", None) or 0))
    if state == "RP002":
        return CommandReusedError(metadata.command_id)
    if state == "RP003":
        return SubjectForgottenError(frozenset())
    return error


def _expected_code(expected: ExpectedVersion) -> int:
    if isinstance(expected, StreamState):
        return expected.value
    if expected < 0:
        raise ValueError("an exact expected version is 0 or more")
    return expected


# RecordedEvent's fields in EVENT_COLUMNS order; the data column (7) becomes `event` instead.
_RECORD_FIELDS = tuple(
    enumerate(
        (
            "position",
            "transaction_id",
            "stream_id",
            "category",
            "version",
            "type",
            "schema_version",
            None,
            "extra",
            "actor_id",
            "command_id",
            "correlation_id",
            "causation_id",
            "recorded_at",
        )
    )
)


def _recorded(row: asyncpg.Record, event: Event, redacted: frozenset[str] = frozenset()) -> RecordedEvent:
    fields = {name: row[i] for i, name in _RECORD_FIELDS if name is not None}
    return RecordedEvent(event=event, redacted=redacted, **fields)
