"""Read model: one row per stream (category, version, event count, first and last event).

Inline, so an audit view sees a stream's newest event the moment its append returns. Idempotent:
replaying events it has already seen leaves the row as it was.
"""

from datetime import datetime

import msgspec

from backend.eventstore.projection import Mode, SqlProjection
from backend.eventstore.types import Conn

STREAM_SUMMARY = SqlProjection(
    name="stream_summary",
    mode=Mode.INLINE,
    tables=("stream_summary",),
    sql="""
    INSERT INTO {stream_summary} AS s (
        stream_id, category, version, event_count, first_event_type, first_recorded_at,
        last_event_type, last_recorded_at, last_position)
    SELECT b.stream_id, min(b.category), max(b.version), count(*),
           (array_agg(b.type ORDER BY b.version))[1], min(b.recorded_at),
           (array_agg(b.type ORDER BY b.version DESC))[1], max(b.recorded_at),
           (array_agg(b.position ORDER BY b.version DESC))[1]
    FROM {batch} b
    GROUP BY b.stream_id
    ON CONFLICT (stream_id) DO UPDATE SET
        version = EXCLUDED.version,
        -- versions are contiguous, so the events this batch adds number (new version - old version)
        event_count = s.event_count + (EXCLUDED.version - s.version),
        last_event_type = EXCLUDED.last_event_type,
        last_recorded_at = EXCLUDED.last_recorded_at,
        last_position = EXCLUDED.last_position
    WHERE EXCLUDED.version > s.version
    """,
)


class StreamSummary(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    stream_id: str
    category: str
    version: int
    event_count: int
    first_event_type: str
    first_recorded_at: datetime
    last_event_type: str
    last_recorded_at: datetime


_COLUMNS = (
    "stream_id, category, version, event_count, first_event_type, first_recorded_at, last_event_type, last_recorded_at"
)


async def get_summary(conn: Conn, stream_id: str) -> StreamSummary | None:
    """The summary of one stream, or None when it has no events."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM stream_summary WHERE stream_id = $1", stream_id)
    return None if row is None else StreamSummary(**dict(row))


async def list_summaries(
    conn: Conn, category: str, limit: int = 50, before: datetime | None = None
) -> list[StreamSummary]:
    """Streams of one category, most recently active first, a page at a time."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM stream_summary WHERE category = $1"
        " AND ($2::timestamptz IS NULL OR last_recorded_at < $2)"
        " ORDER BY last_recorded_at DESC LIMIT $3",
        category,
        before,
        limit,
    )
    return [StreamSummary(**dict(row)) for row in rows]
