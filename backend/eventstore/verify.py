"""Walk the log and check every stream's hash chain; report the first broken link.

Each event's hash covers its stream, version, type, schema version, data, metadata, actor, ids and
time, chained to the previous event's hash, and each stream head records the last hash. A changed
event breaks its own link (or the next one, if its hash was recomputed too); a deleted event leaves
a version gap; a deleted tail no longer matches the stream head.
"""

import time
from collections.abc import Callable

import msgspec

from backend.eventstore.types import Conn

Progress = Callable[[int], None]
ZERO_HASH = "'\\x" + "00" * 32 + "'::bytea"


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


_PAGE = f"""
WITH page AS (
    SELECT stream_id, version, last_hash FROM streams WHERE stream_id > $1 ORDER BY stream_id LIMIT $2
),
chain AS (
    SELECT e.stream_id, e.version, e.position, e.hash,
           lag(e.version) OVER w AS previous_version,
           rapport_event_hash(coalesce(lag(e.hash) OVER w, {ZERO_HASH}), e.stream_id, e.version, e.type,
                              e.schema_version, e.data, e.metadata, e.actor_id, e.command_id,
                              e.correlation_id, e.causation_id, e.recorded_at) AS expected
    FROM events e JOIN page p ON p.stream_id = e.stream_id
    WINDOW w AS (PARTITION BY e.stream_id ORDER BY e.version)
),
broken AS (
    SELECT stream_id, version, position,
           CASE WHEN version <> coalesce(previous_version, 0) + 1
                    THEN 'events are missing before this version'
                WHEN hash <> expected
                    THEN 'hash mismatch: this event, or the one before it, was changed'
           END AS reason
    FROM chain
),
heads AS (
    SELECT p.stream_id, p.version, last.position,
           'the stream head does not match its last event: events were removed or added' AS reason
    FROM page p
    LEFT JOIN LATERAL (
        SELECT e.version, e.hash, e.position FROM events e WHERE e.stream_id = p.stream_id
        ORDER BY e.version DESC LIMIT 1
    ) last ON true
    WHERE last.version IS DISTINCT FROM p.version OR last.hash IS DISTINCT FROM p.last_hash
)
SELECT (SELECT max(stream_id) FROM page) AS last_stream,
       (SELECT count(*) FROM page) AS streams,
       (SELECT count(*) FROM chain) AS events,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('streamId', stream_id, 'version', version,
                                                     'position', position, 'reason', reason)), '[]')
        FROM (SELECT * FROM broken WHERE reason IS NOT NULL UNION ALL SELECT * FROM heads) found) AS breaks
"""


async def verify(conn: Conn, *, page_size: int = 500, progress: Progress | None = None) -> VerifyReport:
    """Check every stream; the first break reported is the earliest in the log."""
    started = time.perf_counter()
    after, streams, events = "", 0, 0
    breaks: list[Break] = []
    while True:
        row = await conn.fetchrow(_PAGE, after, page_size)
        if row is None:  # pragma: no cover - an aggregate query always yields one row
            raise RuntimeError("verify query returned nothing")
        if row["streams"] == 0:
            break
        after = row["last_stream"]
        streams += row["streams"]
        events += row["events"]
        found = row["breaks"]
        breaks += msgspec.convert(found if isinstance(found, list) else msgspec.json.decode(found), list[Break])
        if progress:
            progress(row["events"])
    # Earliest in the log first; a head mismatch (no position) sorts after its stream's events.
    breaks.sort(key=lambda b: (b.position is None, b.position or 0, b.stream_id, b.version))
    return VerifyReport(
        ok=not breaks,
        streams=streams,
        events=events,
        breaks=len(breaks),
        first_break=breaks[0] if breaks else None,
        seconds=round(time.perf_counter() - started, 3),
    )
