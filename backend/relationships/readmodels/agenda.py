"""The agenda read model (`agenda_items`, written by the relationships projection): what to do next,
by bucket (overdue, today, upcoming) in the student's calendar, for one student or many at once.
"""

from collections.abc import Sequence
from uuid import UUID

from backend.errors import NotFoundError
from backend.eventstore.types import Conn
from backend.fields import Day
from backend.relationships.readmodels.contacts import (
    BUCKET,
    OPEN_ITEM,
    agenda_item_json,
    json_object,
)
from backend.relationships.views import (
    AgendaItemView,
    View,
)


class AgendaCounts(View):
    """How many items each bucket holds in all (a bucket's list stops at the `limit` asked for)."""

    overdue: int
    today: int
    upcoming: int


class AgendaView(View):
    date: Day
    """The student's today, in their time zone."""
    time_zone: str
    overdue: list[AgendaItemView]
    today: list[AgendaItemView]
    upcoming: list[AgendaItemView]
    counts: AgendaCounts


# One statement writes the whole AgendaView as JSON: the student's today, every open item up to
# `days` ahead in its bucket, at most `limit` per bucket (earliest due first), and each bucket's count.
_SHOWN_ITEM = agenda_item_json(item="s", bucket="s.bucket", contact="s")
BUCKETS = ("overdue", "today", "upcoming")


def _bucket_json(bucket: str) -> str:
    return (
        f"coalesce((SELECT json_agg({_SHOWN_ITEM} ORDER BY s.due, s.item_key) FROM shown s"
        f" WHERE s.bucket = '{bucket}'), '[]')"
    )


# For each student of `$1` (REST asks for one, a dashboard for many): a LATERAL subquery per student.
AGENDAS = f"""
SELECT k.student_id, x.agenda FROM unnest($1::uuid[]) AS k(student_id) CROSS JOIN LATERAL (
WITH me AS (
    SELECT time_zone, (now() AT TIME ZONE time_zone)::date AS today FROM students WHERE student_id = k.student_id
), items AS (
    SELECT a.item_key, a.kind, a.reason, a.due, a.late_after, a.contact_id, a.ref,
           {BUCKET.format(today="me.today")} AS bucket
    FROM me, agenda_items a
    WHERE a.student_id = k.student_id AND a.due <= me.today + $2::integer AND {OPEN_ITEM}
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY bucket ORDER BY due, item_key) AS n FROM items
), shown AS (  -- names are joined last, for the few items shown
    SELECT r.*, c.name, c.organization
    FROM ranked r JOIN contacts c ON c.student_id = k.student_id AND c.contact_id = r.contact_id
    WHERE r.n <= $3
)
SELECT {
    json_object(
        {
            "date": "me.today",
            "timeZone": "me.time_zone",
            "overdue": _bucket_json("overdue"),
            "today": _bucket_json("today"),
            "upcoming": _bucket_json("upcoming"),
            "counts": json_object(
                {b: f"(SELECT count(*) FROM items WHERE bucket = '{b}')" for b in BUCKETS}, AgendaCounts
            ),
        },
        AgendaView,
    )
} AS agenda
FROM me
) x
"""


async def agendas(conn: Conn, student_ids: Sequence[UUID], *, days: int, limit: int) -> dict[UUID, str]:
    """Each student's AgendaView as JSON: overdue, today and the next `days` days of open items, at most
    `limit` of each, earliest due first; in one statement for all of them."""
    return {r["student_id"]: r["agenda"] for r in await conn.fetch(AGENDAS, list(student_ids), days, limit)}


async def agenda(conn: Conn, student_id: UUID, *, days: int, limit: int) -> str:
    """One student's AgendaView as JSON (see `agendas`)."""
    found = (await agendas(conn, [student_id], days=days, limit=limit)).get(student_id)
    if found is None:  # pragma: no cover - every student row is written at sign-up
        raise NotFoundError("No such student.")
    return found
