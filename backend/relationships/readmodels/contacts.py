"""The contacts read model (`contacts`): a page of contacts, one contact with its open agenda, and the
SQL pieces other reads of a contact share. Every query takes the student id and filters by it first.

"Today" is the student's today: computed in SQL from their time zone, so the stage `no_response`
and the agenda's buckets turn over at the student's midnight, not the server's.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from backend.errors import NotFoundError
from backend.eventstore.types import Conn
from backend.relationships.projection import match_key
from backend.relationships.state import ContactState
from backend.relationships.views import (
    AgendaItemView,
    ContactDetail,
    ContactSummary,
    PersonRef,
    detail,
)

DueFilter = Literal["overdue", "today", "upcoming", "none"]


def today_of(student: str) -> str:
    """SQL for the local date of the student whose id the SQL expression `student` gives."""
    return f"(SELECT (now() AT TIME ZONE s.time_zone)::date FROM students s WHERE s.student_id = {student})"


TODAY = today_of("$1")
"""The local date of the one student (`$1`) a statement reads: selected once."""

# Every contact read shows the stage as of its student's today (`no_response` is a matter of time), for
# whichever students a statement reads.
CONTACTS = f"""
contacts c CROSS JOIN LATERAL (
    SELECT CASE WHEN c.stage = 'requested' AND c.no_response_from <= {today_of("c.student_id")}
                THEN 'no_response' ELSE c.stage END AS shown_stage) st
"""
SUMMARY_COLUMNS = """
    c.contact_id, c.version, c.name, c.title, c.organization, c.career_field, c.tags, c.referrals,
    c.last_activity_at, c.next_action, c.next_due, c.archived, c.erased, c.added_at, st.shown_stage
"""

# A ContactSummary as PostgreSQL writes it. A page then costs one value per row to decode instead of
# fifteen, which was most of a page's cost in Python. Checked against the Struct's fields below.
SUMMARY_JSON_FIELDS = {
    "id": "c.contact_id",
    "version": "c.version",
    "name": "c.name",
    "title": "c.title",
    "organization": "c.organization",
    "careerField": "c.career_field",
    "tags": "c.tags",
    "stage": "st.shown_stage",
    "referrer": "c.referrals > 0",
    "lastActivityAt": "c.last_activity_at",
    "nextAction": "c.next_action",
    "nextDue": "c.next_due",
    "archived": "c.archived",
    "erased": "c.erased",
}


def json_object(fields: Mapping[str, str], struct: type[msgspec.Struct], builder: str = "json_build_object") -> str:
    """SQL that writes one `struct` as JSON: `fields` maps each of its encoded names to an expression."""
    if set(fields) != {f.encode_name for f in msgspec.structs.fields(struct)}:
        raise RuntimeError(f"the SQL for {struct.__name__} must name exactly its fields")
    return f"{builder}(" + ", ".join(f"'{name}', {sql}" for name, sql in fields.items()) + ")"


SUMMARY_JSON = json_object(SUMMARY_JSON_FIELDS, ContactSummary)


def agenda_item_json(*, item: str, bucket: str, contact: str, builder: str = "json_build_object") -> str:
    """SQL writing an AgendaItemView from the agenda_items row `item`, its bucket, and the row or record
    `contact` that has its contact's `name` and `organization`."""
    fields = {
        "key": f"{item}.item_key",
        "kind": f"{item}.kind",
        "reason": f"{item}.reason",
        "due": f"{item}.due",
        "lateAfter": f"{item}.late_after",
        "bucket": bucket,
        "contactId": f"{item}.contact_id",
        "contactName": f"{contact}.name",
        "organization": f"{contact}.organization",
        "ref": f"{item}.ref",
    }
    return json_object(fields, AgendaItemView, builder)


_STREAMS = """
SELECT c.student_id, c.contact_id, c.stream_id
FROM unnest($1::uuid[], $2::uuid[]) AS k(student_id, contact_id)
JOIN contacts c ON c.student_id = k.student_id AND c.contact_id = k.contact_id
"""


async def streams(conn: Conn, keys: Sequence[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], str]:
    """The stream of each (student, contact) that exists, in one statement."""
    rows = await conn.fetch(_STREAMS, [k[0] for k in keys], [k[1] for k in keys])
    return {(r["student_id"], r["contact_id"]): r["stream_id"] for r in rows}


_PEOPLE = "SELECT contact_id, name, erased FROM contacts WHERE student_id = $1 AND contact_id = ANY ($2::uuid[])"

# Reaching out to someone else at the same organization is answered by any later request there.
OPEN_ITEM = """
    NOT (a.kind = 'reach_out_same_org' AND EXISTS (
        SELECT 1 FROM contacts o
        WHERE o.student_id = a.student_id AND o.org_key = a.org_key AND o.contact_id <> a.contact_id
          AND o.requested_at > a.anchor_at))
"""

BUCKET = "CASE WHEN a.late_after < {today} THEN 'overdue' WHEN a.due <= {today} THEN 'today' ELSE 'upcoming' END"
_ITEM = agenda_item_json(item="a", bucket=BUCKET.format(today=TODAY), contact="c", builder="jsonb_build_object")

# One contact with its open agenda items (as JSON in the same row: one round trip for the detail).
ONE = f"""
SELECT {SUMMARY_COLUMNS}, c.state, (
    SELECT coalesce(jsonb_agg({_ITEM} ORDER BY a.due, a.item_key), '[]'::jsonb)
    FROM agenda_items a WHERE a.student_id = $1 AND a.contact_id = c.contact_id AND {OPEN_ITEM}
) AS agenda
FROM {CONTACTS} WHERE c.student_id = $1 AND c.contact_id = $2
"""


def tsquery(text: str) -> str | None:
    """Words typed in a search box as a prefix query (`ana & lee:*`), or None when there are none."""
    words = re.findall(r"\w+", text.lower())[:8]
    return " & ".join(f"{w}:*" for w in words) or None


class ContactFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What a page of contacts is filtered by (hashable: it keys kept answers)."""

    stages: tuple[str, ...] | None = None
    field: str | None = None
    tag: str | None = None
    due: DueFilter | None = None
    q: str | None = None


def _list_query(
    student_id: UUID, filters: ContactFilter, after: tuple[datetime, UUID] | None, limit: int
) -> tuple[str, list[Any]]:
    """The page query with only the filters in use, so the common case is a walk down one index."""
    args: list[Any] = [student_id]
    where = ["c.student_id = $1"]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if filters.stages:
        stages = arg(list(filters.stages))
        where.append(f"(st.shown_stage = ANY ({stages}) OR ('referrer' = ANY ({stages}) AND c.referrals > 0))")
    else:
        where.append("NOT c.archived")
    if filters.field:
        where.append(f"c.field_key = {arg(match_key(filters.field))}")
    if filters.tag:
        where.append(f"c.tags @> ARRAY[{arg(filters.tag.strip().lower())}::text]")
    if filters.due:
        where.append(_DUE[filters.due])
    if filters.q:
        where.append(f"c.search @@ to_tsquery('simple', {arg(tsquery(filters.q))})")
    if after is not None:
        where.append(f"(c.last_activity_at, c.contact_id) < ({arg(after[0])}::timestamptz, {arg(after[1])}::uuid)")
    sql = (
        f"SELECT {SUMMARY_JSON} AS json, c.last_activity_at, c.contact_id FROM {CONTACTS}"
        f" WHERE {' AND '.join(where)} ORDER BY c.last_activity_at DESC, c.contact_id DESC LIMIT {arg(limit + 1)}"
    )
    return sql, args


_DUE = {
    "overdue": f"c.next_due < {TODAY}",
    "today": f"c.next_due = {TODAY}",
    "upcoming": f"c.next_due > {TODAY}",
    "none": "c.next_due IS NULL",
}


async def list_contacts(
    conn: Conn,
    student_id: UUID,
    filters: ContactFilter,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> tuple[list[str], tuple[datetime, UUID] | None]:
    """One page of contacts (each a ContactSummary's JSON), most recently active first, and the
    position after it (if there are more)."""
    if filters.q and tsquery(filters.q) is None:
        return [], None  # nothing searchable was typed: nothing matches
    sql, args = _list_query(student_id, filters, after, limit)
    rows = await conn.fetch(sql, *args)
    items = [r["json"] for r in rows[:limit]]
    more = len(rows) > limit
    return items, ((rows[limit - 1]["last_activity_at"], rows[limit - 1]["contact_id"]) if more else None)


async def contact_detail(conn: Conn, student_id: UUID, contact_id: UUID) -> ContactDetail:
    row = await conn.fetchrow(ONE, student_id, contact_id)
    if row is None:
        raise NotFoundError("No such contact.")
    state = msgspec.convert(row["state"], ContactState)
    return await detail_of(conn, student_id, row, state)


async def detail_of(conn: Conn, student_id: UUID, row: Any, state: ContactState) -> ContactDetail:
    linked = [r.contact_id for r in state.referrals] + ([state.referred_by] if state.referred_by else [])
    people: dict[UUID, PersonRef] = {}
    if linked:
        for p in await conn.fetch(_PEOPLE, student_id, linked):
            people[p["contact_id"]] = PersonRef(id=p["contact_id"], name=p["name"], erased=p["erased"])
    agenda = msgspec.convert(row["agenda"], list[AgendaItemView])
    return detail(row, state, people=people, agenda=agenda)
