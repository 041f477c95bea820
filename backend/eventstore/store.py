"""The event store: append, read a stream, read the global log, forget a data subject."""

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from backend.config import load_settings
from backend.eventstore import codec
from backend.eventstore.append_sql import append_args, append_one_args, append_one_statement, append_statement
from backend.eventstore.chain import event_digest
from backend.eventstore.columns import READ, ROW_FIELDS, SentCommand, SentEvent, SentStream, index_of, recorded_events
from backend.eventstore.errors import (
    CommandReusedError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)
from backend.eventstore.events import Event, EventRegistry, EventType
from backend.eventstore.keys import CREATE_OR_FETCH, Keyring, MasterKey, wrap_plain_keys, wrapping_key
from backend.eventstore.projection import (
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
_KEY_RETRIES = 4
_ANY_ATTEMPTS = 10

# Every read returns the same columns (BATCH_COLUMNS), in the order `_recorded` expects. Qualified with
# `e.` so that ORDER BY and WHERE mean the table's columns (and its index), not the cast in the select list.
EVENT_COLUMNS = ", ".join(c.select("e") for c in READ)
_TYPE, _SCHEMA_VERSION, _DATA = index_of("type"), index_of("schema_version"), index_of("data")

# Slices of several streams (read_slices). In bigint: a caller may name any int4 version, and a bound
# past the last one must not overflow integer.
READ_SLICES = f"""
SELECT {EVENT_COLUMNS}, k.n FROM events e
JOIN unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS k(stream_id, after, upto, n)
  ON e.stream_id = k.stream_id AND e.version > k.after AND e.version <= k.upto
ORDER BY k.n, e.version
"""


async def init_connection(conn: Conn) -> None:
    """Codecs every Rapport connection uses: jsonb as Python objects, via msgspec."""
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        format="text",
    )


class _KeyCache:
    """Subjects' keys seen recently (unwrapped), used only to seal; reads always take keys from the database.

    Safe because a key is never replaced, only destroyed (rotating the master key re-wraps it, unchanged):
    the append statement re-checks that every key it sealed with still exists, and refuses the append
    otherwise (and data sealed by an append that races a forget is sealed under a key that no longer
    exists: unreadable, so erased anyway).
    """

    def __init__(self, size: int = 10_000, ttl: float = 300.0) -> None:
        self._keys: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._size = size
        self._ttl = ttl

    def get(self, subject: str) -> bytes | None:
        entry = self._keys.get(subject)
        if entry is None or entry[1] < time.monotonic():
            return None
        self._keys.move_to_end(subject)
        return entry[0]

    def put(self, subject: str, key: bytes) -> None:
        self._keys[subject] = (key, time.monotonic() + self._ttl)
        self._keys.move_to_end(subject)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)

    def drop(self, subjects: Iterable[str]) -> None:
        for subject in subjects:
            self._keys.pop(subject, None)


class EventStore:
    """Streams of events in PostgreSQL. Safe to share across tasks: it holds a pool, not a connection."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        registry: EventRegistry,
        inline: Iterable[Projection] = (),
        notify_delay: float = 0.02,
        keyring: Keyring | None = None,
    ) -> None:
        """`keyring`: the master keys that wrap subject keys; by default from the settings, on first use."""
        self.pool = pool
        self.registry = registry
        self.inline = tuple(inline)
        if any(p.mode is not Mode.INLINE for p in self.inline):
            raise ValueError("only inline projections run in the append's transaction")
        self._sql_inline = tuple(p for p in self.inline if isinstance(p, SqlProjection))
        self._py_inline = tuple(p for p in self.inline if isinstance(p, PyProjection))
        self._one_sql = append_one_statement(self._sql_inline, personal=False)
        self._one_sealed_sql = append_one_statement(self._sql_inline, personal=True)
        self._many_sql = append_statement(self._sql_inline, personal=False)
        self._many_sealed_sql = append_statement(self._sql_inline, personal=True)
        self._notify_delay = notify_delay
        self._notify_pending = False
        self._notify_timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._keys = _KeyCache()
        self._keyring = keyring
        self._wrapping: MasterKey | None = None  # the master key the database names, once asked

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

    async def _append(
        self, conn: Conn, writes: Sequence[StreamWrite], metadata: Metadata, attempt: int = 1
    ) -> AppendResult:
        streams = [SentStream(w, category_of(w.stream_id)) for w in writes]
        kinds = [[self.registry.of(event) for event in w.events] for w in writes]
        subjects = {
            subject
            for write, write_kinds in zip(writes, kinds, strict=True)
            for event, kind in zip(write.events, write_kinds, strict=True)
            for subject in codec.subjects_of(kind, event, write.stream_id).values()
        }
        keys = await self._live_keys(conn, subjects) if subjects else {}

        sent: list[SentEvent] = []
        command_digests: list[bytes] = []
        for index, (write, write_kinds) in enumerate(zip(writes, kinds, strict=True), start=1):
            for event, kind in zip(write.events, write_kinds, strict=True):
                stored, digest_form = codec.seal(kind, event, write.stream_id, keys)
                stored_digest = self._digest(write.stream_id, kind, stored, metadata)
                sent.append(SentEvent(index, kind, event, stored, stored_digest))
                # The command's digest must not change when a retry seals personal data with fresh
                # nonces, so it covers the keyed-hash form of those fields instead.
                same = digest_form is stored
                command_digests.append(
                    stored_digest if same else self._digest(write.stream_id, kind, digest_form, metadata)
                )
        command = SentCommand(metadata, hashlib.sha256(b"".join(command_digests)).digest(), sorted(subjects))
        if len(sent) == 1:
            # The common case, one event on one stream, has a statement of its own with plain parameters.
            sql = self._one_sealed_sql if subjects else self._one_sql
            args = append_one_args(streams[0], sent[0], command)
        else:
            sql = self._many_sealed_sql if subjects else self._many_sql
            args = append_args(streams, sent, command)
        try:
            if self._py_inline and not conn.is_in_transaction():
                async with conn.transaction():
                    rows = await self._append_and_project(conn, sql, args, streams=streams, sent=sent, command=command)
            else:
                rows = await self._append_and_project(conn, sql, args, streams=streams, sent=sent, command=command)
        except asyncpg.PostgresError as error:
            return await self._after_failure(conn, error, writes, metadata, digest=command.digest, attempt=attempt)
        self._poke_projectors()
        return AppendResult(events=rows, duplicate=False)

    async def _append_and_project(
        self,
        conn: Conn,
        sql: str,
        args: tuple[Any, ...],
        *,
        streams: Sequence[SentStream],
        sent: Sequence[SentEvent],
        command: SentCommand,
    ) -> list[RecordedEvent]:
        rows = await conn.fetch(sql, *args)
        # The database assigned positions, versions and times (in the order the events were sent);
        # everything else is what we sent, so nothing needs decoding.
        recorded = recorded_events(rows, streams, sent, command)
        for projection in self._py_inline:
            wanted = [e for e in recorded if projection.wants(e.type, e.category)]
            if wanted:
                await projection.apply(conn, wanted, projection.identity_tables())
        return recorded

    @staticmethod
    def _digest(stream_id: str, kind: EventType, data: Any, metadata: Metadata) -> bytes:
        return event_digest(
            stream_id=stream_id,
            event_type=kind.name,
            schema_version=kind.schema_version,
            data=data,
            metadata=metadata.extra,
            actor_id=metadata.actor_id,
            command_id=metadata.command_id,
            correlation_id=metadata.correlation,
            causation_id=metadata.causation_id,
        )

    async def _after_failure(
        self,
        conn: Conn,
        error: asyncpg.PostgresError,
        writes: Sequence[StreamWrite],
        metadata: Metadata,
        *,
        digest: bytes,
        attempt: int,
    ) -> AppendResult:
        """A failed append is either a retry of a command that already won, or a real error."""
        state = getattr(error, "sqlstate", None)
        if state == "RP003":
            # Forgotten since we cached its key: forget the key here too.
            forgotten = {
                s
                for w in writes
                for e in w.events
                for s in codec.subjects_of(self.registry.of(e), e, w.stream_id).values()
            }
            self._keys.drop(forgotten)
            raise SubjectForgottenError(frozenset(forgotten)) from error
        conflict = state == "RP001" or isinstance(error, asyncpg.UniqueViolationError)
        if not conflict:
            raise error
        if conn.is_in_transaction():
            # The caller's transaction is aborted: nothing more can be asked of it.
            raise _wrong_version(error, writes, None) from error
        original = await self._replay(conn, metadata.command_id, digest)
        if original is not None:
            return original
        if all(w.expected_version is StreamState.ANY for w in writes) and attempt < _ANY_ATTEMPTS:
            # "Any version" lost a race for the next version number: take the new head and go again.
            return await self._append(conn, writes, metadata, attempt + 1)
        current = None
        if state != "RP001":
            current = await self._version(conn, _stream_of(error, writes))
        raise _wrong_version(error, writes, current) from error

    @staticmethod
    async def _version(conn: Conn, stream_id: str) -> int:
        version = await conn.fetchval("SELECT max(version) FROM events WHERE stream_id = $1", stream_id)
        return int(version or 0)

    async def _replay(self, conn: Conn, command_id: UUID, digest: bytes) -> AppendResult | None:
        """The original result of a command already applied, or None if it never was."""
        row = await conn.fetchrow("SELECT digest, positions FROM commands WHERE command_id = $1", command_id)
        if row is None:
            return None
        if row["digest"] != digest:
            raise CommandReusedError(command_id)
        rows = await conn.fetch(
            f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.position = ANY ($1) ORDER BY e.position", row["positions"]
        )
        return AppendResult(events=await self._decode_rows(conn, rows), duplicate=True)

    @property
    def keyring(self) -> Keyring:
        """The master keys of this process: RAPPORT_MASTER_KEY, or the data folder's key file."""
        if self._keyring is None:
            self._keyring = Keyring.from_settings(load_settings())
        return self._keyring

    async def prepare_keys(self) -> int:
        """Settle which master key wraps new keys, and wrap keys stored unwrapped; returns how many.

        Call once at start-up (it is also done on the first append that needs a key): it makes the
        key file on a first run, and refuses a master key the database was not written with.
        """
        async with self.pool.acquire() as conn:
            wrapped = await wrap_plain_keys(conn, self.keyring)
            self._wrapping = await wrapping_key(conn, self.keyring)
        return wrapped

    async def _live_keys(self, conn: Conn, subjects: set[str]) -> dict[str, bytes]:
        """The key of each subject, created on first use; refuses subjects already forgotten."""
        wanted = sorted(subjects)
        found: dict[str, bytes | None] = {}
        for subject in wanted:
            if (cached := self._keys.get(subject)) is not None:
                found[subject] = cached
        keyring = self.keyring
        for _ in range(_KEY_RETRIES):
            if all(s in found for s in wanted):
                break
            if self._wrapping is None:
                if not conn.is_in_transaction():
                    await wrap_plain_keys(conn, keyring)  # keys of a database written before 0009
                self._wrapping = await wrapping_key(conn, keyring)
            master = self._wrapping
            missing = [s for s in wanted if s not in found]
            rows = await conn.fetch(
                CREATE_OR_FETCH, missing, [keyring.wrap(master, s, codec.new_key()) for s in missing], master.id
            )
            for row in rows:
                if row["subject"] is None:
                    # A rotation named another master key: ask which, then create what is missing again.
                    self._wrapping = None
                    continue
                found[row["subject"]] = keyring.open(row["subject"], row["key"], row["kek_id"])
            # A key created by a transaction that committed after our snapshot is missed: look again.
        forgotten = frozenset(s for s in wanted if found.get(s) is None)
        if forgotten:
            self._keys.drop(forgotten)
            raise SubjectForgottenError(forgotten)
        live = {s: k for s, k in found.items() if k is not None}
        for subject, key in live.items():
            self._keys.put(subject, key)
        return live

    def _poke_projectors(self) -> None:
        """Wake async projectors soon after this commit, at most once per `notify_delay`.

        NOTIFY inside the append would take PostgreSQL's global notify lock at every commit and
        serialise all writers; a debounced NOTIFY after commit costs writers nothing. If it is lost
        (a crash between commit and notify) the projectors' polling still finds the events.
        """
        if self._notify_pending:
            return
        self._notify_pending = True
        self._notify_timer = asyncio.get_running_loop().call_later(self._notify_delay, self._spawn_notify)

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
        if self._notify_pending and self._notify_timer is not None:
            self._notify_timer.cancel()
            self._spawn_notify()
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
            f"SELECT {EVENT_COLUMNS} FROM events e WHERE e.stream_id = $1 AND e.version >= $2"
            " AND ($3::bigint IS NULL OR e.version <= $3) AND ($4::timestamptz IS NULL OR e.recorded_at <= $4)"
            " ORDER BY e.version"
        )
        if conn is not None:
            return await self._decode_rows(conn, await conn.fetch(query, stream_id, from_version, to_version, as_of))
        async with self.pool.acquire() as acquired:
            rows = await acquired.fetch(query, stream_id, from_version, to_version, as_of)
            return await self._decode_rows(acquired, rows)

    async def read_slices(
        self, slices: Sequence[tuple[str, int, int]], *, conn: Conn | None = None
    ) -> list[list[RecordedEvent]]:
        """Slices of several streams in one statement: for each (stream, after, upto), its events with
        `after < version <= upto`, in version order, in the order the slices were asked."""
        args = ([s[0] for s in slices], [s[1] for s in slices], [s[2] for s in slices])
        if conn is None:
            async with self.pool.acquire() as acquired:
                return await self.read_slices(slices, conn=acquired)
        rows = await conn.fetch(READ_SLICES, *args)
        found: list[list[RecordedEvent]] = [[] for _ in slices]
        for row, event in zip(rows, await self._decode_rows(conn, rows), strict=True):
            found[row["n"] - 1].append(event)
        return found

    async def command_applied(self, command_id: UUID) -> bool:
        """Whether a command with this id has already been appended (idempotent retries ask this)."""
        async with self.pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM commands WHERE command_id = $1)", command_id))

    async def stream_version(self, stream_id: str) -> int:
        """The stream's current version (0 when it does not exist)."""
        async with self.pool.acquire() as conn:
            return await self._version(conn, stream_id)

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
        safe = " AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())" if horizon else ""
        query = (
            f"SELECT {EVENT_COLUMNS} FROM events e"
            " WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2)"
            f"{safe}"
            " AND ($4::text[] IS NULL OR e.type = ANY ($4)) AND ($5::text[] IS NULL OR e.category = ANY ($5))"
            " ORDER BY e.transaction_id, e.position LIMIT $3"
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
        subjects = set().union(*(codec.sealed_subjects(row[_DATA]) for row in rows)) if rows else set()
        keys: dict[str, bytes | None] = {}
        if subjects:
            found = await conn.fetch(
                "SELECT subject, key, kek_id FROM subject_keys WHERE subject = ANY ($1)", list(subjects)
            )
            keyring = self.keyring
            keys = {row["subject"]: keyring.open(row["subject"], row["key"], row["kek_id"]) for row in found}
        decoded = []
        for row in rows:
            data, redacted = codec.unseal(row[_TYPE], dict(row[_DATA]), keys)
            event = codec.decode_event(self.registry, row[_TYPE], row[_SCHEMA_VERSION], data)
            decoded.append(_recorded(row, event, redacted))
        return decoded

    # -- erasure -------------------------------------------------------------------------------

    async def forget(self, subject: str) -> bool:
        """Destroy the subject's key: its personal fields read as REDACTED from now on, everywhere.

        Returns False when the subject had already been forgotten. The row stays as a tombstone so
        personal data can never again be written under that subject.
        """
        self._keys.drop([subject])
        async with self.pool.acquire() as conn:
            previous = await conn.fetchval(
                """
                WITH old AS (SELECT subject, key FROM subject_keys WHERE subject = $1 FOR UPDATE),
                upsert AS (
                    INSERT INTO subject_keys AS k (subject, key, forgotten_at) VALUES ($1, NULL, now())
                    ON CONFLICT (subject) DO UPDATE
                    SET key = NULL, kek_id = NULL, forgotten_at = coalesce(k.forgotten_at, now())
                )
                SELECT coalesce((SELECT key IS NOT NULL FROM old), true)
                """,
                subject,
            )
            # The destroyed key survives as a dead row version until VACUUM reclaims it (wrapped, so it
            # opens nothing without the master key; VACUUM still clears it from the table's files).
            await conn.execute("VACUUM subject_keys")
        return bool(previous)


def _stream_of(error: asyncpg.PostgresError, writes: Sequence[StreamWrite]) -> str:
    """The stream a conflict was about: named by rapport_fail, or found in the unique key's detail."""
    named = getattr(error, "hint", None)
    if named:
        return str(named)
    detail = str(getattr(error, "detail", "") or "")
    return next((w.stream_id for w in writes if f"({w.stream_id}," in detail), writes[0].stream_id)


def _wrong_version(
    error: asyncpg.PostgresError, writes: Sequence[StreamWrite], current: int | None
) -> WrongExpectedVersionError:
    stream_id = _stream_of(error, writes)
    expected = next((w.expected_version for w in writes if w.stream_id == stream_id), None)
    if current is None and getattr(error, "sqlstate", None) == "RP001":
        current = int(getattr(error, "detail", None) or 0)
    return WrongExpectedVersionError(stream_id, expected, current)


def _recorded(row: asyncpg.Record, event: Event, redacted: frozenset[str] = frozenset()) -> RecordedEvent:
    fields = {name: row[i] for i, name in ROW_FIELDS}
    return RecordedEvent(event=event, redacted=redacted, **fields)
