"""Walk the log and check every stream's hash chain; report the first broken link.

The chain is defined in `backend.eventstore.chain`, and recomputed here in Python from the stored
events, independently of the code that wrote them. A changed event breaks its own link (or the
next one, if its hash was recomputed too); a deleted event leaves a version gap; a deleted tail no
longer matches the stream head kept in `streams`; a stream whose events are all gone is reported.
"""

import time
from collections.abc import Callable
from typing import Any

import msgspec

from backend.eventstore.chain import GENESIS, chain_hash, event_digest
from backend.eventstore.types import Conn

Progress = Callable[[int], None]


class Break(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    stream_id: str
    version: int
    position: int | None
    reason: str


class VerifyReport(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    ok: bool
    streams: int
    events: int
    breaks: int
    first_break: Break | None
    seconds: float


_PAGE = """
SELECT e.stream_id, e.version, e.position, e.type, e.schema_version, e.data, e.metadata, e.actor_id,
       e.command_id, e.correlation_id, e.causation_id, e.recorded_at, e.hash
FROM events e WHERE (e.stream_id, e.version) > ($1, $2) ORDER BY e.stream_id, e.version LIMIT $3
"""
_HEADLESS = """
SELECT s.stream_id, s.version FROM streams s
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id) ORDER BY s.stream_id
"""
CHANGED = "hash mismatch: this event, or the one before it, was changed"
MISSING = "events are missing before this version"
HEAD = "the stream head does not match its last event: events were removed or added"


def _json(value: Any) -> Any:
    # Without Rapport's codec on the connection, jsonb arrives as text.
    return msgspec.json.decode(value) if isinstance(value, str) else value


class _Walk:
    """The state of the walk across pages: the stream being checked and what it has shown."""

    def __init__(self) -> None:
        self.stream: str | None = None
        self.version = 0
        self.hash = GENESIS
        self.position: int | None = None
        self.breaks: list[Break] = []
        self.ended: list[tuple[str, int, bytes, int | None]] = []  # (stream, last version, last hash, position)

    def event(self, row: Any) -> None:
        if row["stream_id"] != self.stream:
            self.close()
            self.stream, self.version, self.hash = row["stream_id"], 0, GENESIS
        if row["version"] != self.version + 1:
            # The link cannot be checked without the missing events: one break, the gap.
            self._break(row, MISSING)
        elif chain_hash(self.hash, row["version"], row["recorded_at"], self._digest(row)) != row["hash"]:
            self._break(row, CHANGED)
        # Go on from what is stored, so one change is one break, not a break in every later link.
        self.version, self.hash, self.position = row["version"], row["hash"], row["position"]

    def _break(self, row: Any, reason: str) -> None:
        self.breaks.append(
            Break(stream_id=row["stream_id"], version=row["version"], position=row["position"], reason=reason)
        )

    @staticmethod
    def _digest(row: Any) -> bytes:
        return event_digest(
            stream_id=row["stream_id"],
            event_type=row["type"],
            schema_version=row["schema_version"],
            data=_json(row["data"]),
            metadata=_json(row["metadata"]),
            actor_id=row["actor_id"],
            command_id=row["command_id"],
            correlation_id=row["correlation_id"],
            causation_id=row["causation_id"],
        )

    def close(self) -> None:
        if self.stream is not None:
            self.ended.append((self.stream, self.version, self.hash, self.position))
            self.stream = None


async def _check_heads(conn: Conn, walk: _Walk) -> None:
    if not walk.ended:
        return
    heads = {
        row["stream_id"]: (row["version"], row["last_hash"])
        for row in await conn.fetch(
            "SELECT stream_id, version, last_hash FROM streams WHERE stream_id = ANY ($1)", [e[0] for e in walk.ended]
        )
    }
    for stream_id, version, last_hash, position in walk.ended:
        if heads.get(stream_id) != (version, last_hash):
            walk.breaks.append(Break(stream_id=stream_id, version=version, position=position, reason=HEAD))
    walk.ended.clear()


async def verify(conn: Conn, *, page_size: int = 5_000, progress: Progress | None = None) -> VerifyReport:
    """Check every stream; the first break reported is the earliest in the log."""
    started = time.perf_counter()
    walk, events, streams = _Walk(), 0, 0
    after: tuple[str, int] = ("", 0)
    while rows := await conn.fetch(_PAGE, after[0], after[1], page_size):
        for row in rows:
            streams += row["stream_id"] != walk.stream
            walk.event(row)
        events += len(rows)
        after = (rows[-1]["stream_id"], rows[-1]["version"])
        # Streams that ended within this page are compared with their heads now; the one still
        # open may go on in the next page.
        await _check_heads(conn, walk)
        if progress:
            progress(len(rows))
    walk.close()
    await _check_heads(conn, walk)
    for row in await conn.fetch(_HEADLESS):
        streams += 1
        walk.breaks.append(Break(stream_id=row["stream_id"], version=row["version"], position=None, reason=HEAD))
    breaks = sorted(walk.breaks, key=lambda b: (b.position is None, b.position or 0, b.stream_id, b.version))
    return VerifyReport(
        ok=not breaks,
        streams=streams,
        events=events,
        breaks=len(breaks),
        first_break=breaks[0] if breaks else None,
        seconds=round(time.perf_counter() - started, 3),
    )
