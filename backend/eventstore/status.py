"""Where each projection stands: its position, how far behind it is, and whether it is healthy."""

from collections.abc import Sequence
from datetime import datetime

import msgspec

from backend.eventstore.projection import Mode, Projection
from backend.eventstore.runner import LOCK_NAMESPACE
from backend.eventstore.types import Conn


class ProjectionStatus(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    name: str
    mode: str  # inline | async | unknown (a checkpoint of a projection this code does not declare)
    state: str  # inline | running | stopped | failed
    position: str | None
    lag_events: int
    lag_seconds: float
    updated_at: datetime | None = None
    failed_position: int | None = None
    error: str | None = None
    # The event it stopped at, as stored (its type may be one this code cannot even decode).
    failed_stream_id: str | None = None
    failed_version: int | None = None
    failed_type: str | None = None
    failed_at: datetime | None = None


_ASYNC = """
SELECT c.transaction_id::text::bigint AS tx, c.position, c.updated_at, c.failed_position, c.failed_at, c.error,
       f.stream_id AS failed_stream_id, f.version AS failed_version, f.type AS failed_type,
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
               AND l.classid = {namespace} AND l.objid::int = hashtext('rapport.projection:' || $1)
               AND l.objsubid = 2) AS owned,
       lag.n, lag.oldest
FROM (SELECT $1::text AS name) wanted
LEFT JOIN projection_checkpoints c ON c.name = wanted.name
LEFT JOIN events f ON f.position = c.failed_position
CROSS JOIN LATERAL (
    SELECT count(*) AS n, extract(epoch FROM now() - min(e.recorded_at))::float8 AS oldest
    FROM events e
    WHERE (e.transaction_id, e.position) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.position, 0))
    {filter}
) lag
"""


async def projection_status(
    conn: Conn, projections: Sequence[Projection], *, undeclared: bool = False
) -> list[ProjectionStatus]:
    """One row per projection. Inline ones are never behind: they commit with the append.

    `undeclared`: also a row for each checkpoint no projection here is named after (one renamed or
    removed, or run by a projector of another release), so a failure it recorded is not hidden. Its
    filter is not known here, so its lag counts every event after its checkpoint.
    """
    statuses = []
    for projection in projections:
        if projection.mode is Mode.INLINE:
            last = await conn.fetchrow(
                "SELECT transaction_id::text::bigint AS tx, position FROM events"
                f" e WHERE true{projection.filter_sql('e')} ORDER BY position DESC LIMIT 1"
            )
            statuses.append(
                ProjectionStatus(
                    name=projection.name,
                    mode="inline",
                    state="inline",
                    position=None if last is None else f"{last['tx']}.{last['position']}",
                    lag_events=0,
                    lag_seconds=0.0,
                )
            )
            continue
        statuses.append(await _async_status(conn, projection.name, "async", projection.filter_sql("e")))
    if undeclared:
        names = await conn.fetch(
            "SELECT name FROM projection_checkpoints WHERE name <> ALL ($1::text[]) ORDER BY name",
            [p.name for p in projections],
        )
        statuses += [await _async_status(conn, row["name"], "unknown", "") for row in names]
    return statuses


async def _async_status(conn: Conn, name: str, mode: str, filter_sql: str) -> ProjectionStatus:
    row = await conn.fetchrow(_ASYNC.format(namespace=LOCK_NAMESPACE, filter=filter_sql), name)
    if row is None:  # pragma: no cover - the query always yields its one row
        raise RuntimeError("projection status query returned nothing")
    if row["failed_position"] is not None:
        state = "failed"
    elif row["owned"]:
        state = "running"
    else:
        state = "stopped"
    return ProjectionStatus(
        name=name,
        mode=mode,
        state=state,
        position=None if row["tx"] is None else f"{row['tx']}.{row['position']}",
        lag_events=row["n"],
        lag_seconds=round(row["oldest"] or 0.0, 3),
        updated_at=row["updated_at"],
        failed_position=row["failed_position"],
        error=row["error"],
        failed_stream_id=row["failed_stream_id"],
        failed_version=row["failed_version"],
        failed_type=row["failed_type"],
        failed_at=row["failed_at"],
    )
