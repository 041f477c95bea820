"""Read model: events per category, event type and UTC day. Async: the projector keeps it.

Exactly-once by construction: each batch and the checkpoint commit in one transaction.
"""

from datetime import date

import msgspec

from backend.eventstore.projection import Mode, SqlProjection
from backend.eventstore.types import Conn

ACTIVITY_DAILY = SqlProjection(
    name="activity_daily",
    mode=Mode.ASYNC,
    tables=("activity_daily",),
    sql="""
    INSERT INTO {activity_daily} AS a (category, event_type, day, events)
    SELECT b.category, b.type, (b.recorded_at AT TIME ZONE 'UTC')::date, count(*)
    FROM {batch} b
    GROUP BY 1, 2, 3
    ON CONFLICT (category, day, event_type) DO UPDATE SET events = a.events + EXCLUDED.events
    """,
)


class DailyActivity(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    category: str
    event_type: str
    day: date
    events: int


async def activity(conn: Conn, category: str, since: date, until: date) -> list[DailyActivity]:
    """Events of one category per day and type, oldest day first."""
    rows = await conn.fetch(
        "SELECT category, event_type, day, events FROM activity_daily"
        " WHERE category = $1 AND day BETWEEN $2 AND $3 ORDER BY day, event_type",
        category,
        since,
        until,
    )
    return [DailyActivity(**dict(row)) for row in rows]
