"""The `advisor_grants` read model: who may see which student, at what scope, since when.

Inline, so a grant, a change of scope or a revocation is what `access_to` sees in the very
transaction that records it. Per batch: one query loads the rows the batch touches, the events are
folded in Python in log order, and one statement writes the rows back. Each row remembers the
version of the student's stream it reflects, so replaying an event already applied changes nothing.
"""

from collections.abc import Mapping, Sequence
from typing import Any, assert_never
from uuid import UUID

from backend.eventstore.events import type_name
from backend.eventstore.projection import Mode, PyProjection
from backend.eventstore.types import Conn, RecordedEvent
from backend.students.events import (
    CONSENT_EVENTS,
    AdvisorAccessGranted,
    AdvisorAccessRevoked,
    AdvisorAccessScopeChanged,
    consent_event,
)

_LOAD = """
SELECT student_id, advisor_id, scope, via, granted_at, changed_at, revoked_at, version
FROM {advisor_grants} g
WHERE (student_id, advisor_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))
"""

_WRITE = """
INSERT INTO {advisor_grants} AS t (student_id, advisor_id, scope, via, granted_at, changed_at, revoked_at, version)
SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
    student_id uuid, advisor_id uuid, scope text, via text, granted_at timestamptz, changed_at timestamptz,
    revoked_at timestamptz, version bigint)
ON CONFLICT (student_id, advisor_id) DO UPDATE SET
    scope = EXCLUDED.scope, via = EXCLUDED.via, granted_at = EXCLUDED.granted_at,
    changed_at = EXCLUDED.changed_at, revoked_at = EXCLUDED.revoked_at, version = EXCLUDED.version
WHERE EXCLUDED.version > t.version
"""


def _student_id(stream_id: str) -> UUID:
    return UUID(hex=stream_id.split("-", 1)[1])


def _key(recorded: RecordedEvent) -> tuple[UUID, UUID] | None:
    """(student, advisor) of a consent event; None for any other event."""
    event = recorded.event
    if isinstance(event, AdvisorAccessGranted | AdvisorAccessScopeChanged | AdvisorAccessRevoked):
        return _student_id(recorded.stream_id), event.advisor_id
    return None


def _fold(row: dict[str, Any] | None, recorded: RecordedEvent) -> dict[str, Any] | None:
    """The grant's row after one consent event (None: a change to a grant that never existed)."""
    event = consent_event(recorded.event)
    match event:
        case AdvisorAccessGranted():
            # A new grant after a revocation starts afresh: the row shows the grant now in force.
            return {
                "student_id": _student_id(recorded.stream_id),
                "advisor_id": event.advisor_id,
                "scope": event.scope,
                "via": event.via,
                "granted_at": event.granted_at,
                "changed_at": None,
                "revoked_at": None,
                "version": recorded.version,
            }
        case AdvisorAccessScopeChanged():
            if row is None:
                return None
            return {**row, "scope": event.scope, "changed_at": event.changed_at, "version": recorded.version}
        case AdvisorAccessRevoked():
            if row is None:
                return None
            return {**row, "revoked_at": event.revoked_at, "version": recorded.version}
        case _:
            assert_never(event)


async def apply(conn: Conn, events: Sequence[RecordedEvent], tables: Mapping[str, str]) -> None:
    """Fold a batch of consent events into `advisor_grants`."""
    keys = {key for e in events if (key := _key(e)) is not None}
    if not keys:
        return
    students, advisors = zip(*keys, strict=True)
    rows: dict[tuple[UUID, UUID], dict[str, Any]] = {
        (r["student_id"], r["advisor_id"]): dict(r)
        for r in await conn.fetch(_LOAD.format(**tables), list(students), list(advisors))
    }
    changed: set[tuple[UUID, UUID]] = set()
    for recorded in events:
        key = _key(recorded)
        if key is None:
            continue
        row = rows.get(key)
        if row is not None and recorded.version <= row["version"]:
            continue  # applied already
        folded = _fold(row, recorded)
        if folded is not None:
            rows[key] = folded
            changed.add(key)
    if changed:
        await conn.execute(_WRITE.format(**tables), [rows[k] for k in changed])


ADVISORS = PyProjection(
    name="advisors",
    mode=Mode.INLINE,
    tables=("advisor_grants",),
    event_types=frozenset(type_name(cls) for cls in CONSENT_EVENTS),
    categories=frozenset({"student"}),
    apply=apply,
)
