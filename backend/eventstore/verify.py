"""Walk the log and check every stream's hash chain; report the first broken link.

The chain is defined in `backend.eventstore.chain`, and recomputed here in Python from the stored
events, independently of the code that wrote them. A changed event breaks its own link (or the
next one, if its hash was recomputed too); a deleted event leaves a version gap; since every
command records the positions of the events it appended, events deleted from the end of a stream,
or whole streams, are found missing too; and since every event names its command (inside its hash),
an event whose command's record is gone or no longer lists it is found too.

What this proves, and against whom, is in docs/tamper-evidence.md: a superuser can bypass the
append-only triggers, and removing *all* the events of a command from the ends of their streams
together with the command's record leaves nothing here to notice it (that needs an anchor kept
outside the database).
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
_MISSING = """
SELECT p.stream_id, p.position, c.command_id
FROM commands c CROSS JOIN LATERAL unnest(c.positions, c.stream_ids) AS p(position, stream_id)
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.position = p.position)
ORDER BY p.position
"""
# Every event was appended by a command whose record lists it: its row was removed, or edited.
_UNRECORDED = """
SELECT e.stream_id, e.version, e.position, e.command_id
FROM events e
WHERE NOT EXISTS (
    SELECT 1 FROM commands c CROSS JOIN LATERAL unnest(c.positions, c.stream_ids) AS p(position, stream_id)
    WHERE c.command_id = e.command_id AND p.position = e.position AND p.stream_id = e.stream_id
)
ORDER BY e.position
"""
CHANGED = "hash mismatch: this event, or the one before it, was changed"
MISSING = "events are missing before this version"
REMOVED = "events recorded by command {command} are missing: removed from the end of the stream"
UNRECORDED = "the record of command {command}, which appended this event, was removed or changed"


def _json(value: Any) -> Any:
    # Without Rapport's codec on the connection, jsonb arrives as text.
    return msgspec.json.decode(value) if isinstance(value, str) else value


class _Walk:
    """The state of the walk: the stream being checked and what the log has shown so far."""

    def __init__(self) -> None:
        self.stream: str | None = None
        self.version = 0
        self.hash = GENESIS
        self.breaks: list[Break] = []
        self.last_version: dict[str, int] = {}
        self.gaps: set[str] = set()

    def event(self, row: Any) -> None:
        if row["stream_id"] != self.stream:
            self.stream, self.version, self.hash = row["stream_id"], 0, GENESIS
        if row["version"] != self.version + 1:
            # The link cannot be checked without the missing events: one break, the gap.
            self._break(row, MISSING)
            self.gaps.add(row["stream_id"])
        elif chain_hash(self.hash, row["version"], row["recorded_at"], self._digest(row)) != row["hash"]:
            self._break(row, CHANGED)
        # Go on from what is stored, so one change is one break, not a break in every later link.
        self.version, self.hash = row["version"], row["hash"]
        self.last_version[row["stream_id"]] = row["version"]

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
        if progress:
            progress(len(rows))
    reported: set[str] = set()
    for row in await conn.fetch(_MISSING):
        stream_id = row["stream_id"]
        if stream_id in walk.gaps or stream_id in reported:
            continue  # a gap inside the stream is already reported where it is
        reported.add(stream_id)
        streams += stream_id not in walk.last_version
        walk.breaks.append(
            Break(
                stream_id=stream_id,
                version=walk.last_version.get(stream_id, 0) + 1,
                position=row["position"],
                reason=REMOVED.format(command=row["command_id"]),
            )
        )
    for row in await conn.fetch(_UNRECORDED):
        walk.breaks.append(
            Break(
                stream_id=row["stream_id"],
                version=row["version"],
                position=row["position"],
                reason=UNRECORDED.format(command=row["command_id"]),
            )
        )
    breaks = sorted(walk.breaks, key=lambda b: (b.position is None, b.position or 0, b.stream_id, b.version))
    return VerifyReport(
        ok=not breaks,
        streams=streams,
        events=events,
        breaks=len(breaks),
        first_break=breaks[0] if breaks else None,
        seconds=round(time.perf_counter() - started, 3),
    )
