"""What people said, compared by career field (`field_notes`)."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from backend.eventstore.types import Conn
from backend.relationships.views import (
    View,
)

NoteKind = Literal["interview", "note", "reflection"]
MAX_FIELDS = 100


class FieldNote(View):
    contact_id: UUID
    contact_name: str
    kind: NoteKind
    at: datetime
    body: dict[str, Any]
    """interview: notes, keyTakeaways, advice, resources, questionsAsked, fitSignal;
    note: text; reflection: learned, nextSteps; an erased contact's: {"erased": true}."""


class FieldNotes(View):
    career_field: str | None
    """null: contacts with no career field yet."""
    field_key: str | None
    contacts: int
    """How many different people these notes come from."""
    total_notes: int
    notes: list[FieldNote]
    """Newest first, at most `perField`."""


class NotesByField(View):
    fields: list[FieldNotes]


_NOTES_BY_FIELD = """
WITH n AS (
    SELECT f.note_key, f.contact_id, f.career_field, f.field_key, f.kind, f.at, f.body, c.name AS contact_name,
           row_number() OVER (PARTITION BY f.field_key ORDER BY f.at DESC, f.note_key) AS rn
    FROM field_notes f JOIN contacts c ON c.student_id = f.student_id AND c.contact_id = f.contact_id
    WHERE f.student_id = $1
      AND ($2::text IS NULL OR f.field_key = $2)
      AND ($3::text IS NULL OR f.search @@ to_tsquery('simple', $3))
), g AS (
    SELECT * FROM (
        -- A field is named as most of the student's contacts in it spell it, whatever the filters
        -- (as in the stats' contacts per field).
        SELECT n.field_key, (SELECT mode() WITHIN GROUP (ORDER BY c.career_field) FROM contacts c
                             WHERE c.student_id = $1 AND c.field_key = n.field_key) AS career_field,
               count(DISTINCT n.contact_id) AS contacts, count(*) AS total
        FROM n GROUP BY n.field_key) x
    ORDER BY lower(x.career_field) NULLS LAST, x.field_key
    LIMIT $5
)
SELECT g.field_key, g.career_field, g.contacts, g.total,
       n.contact_id, n.contact_name, n.kind, n.at, n.body
FROM g JOIN n ON n.field_key IS NOT DISTINCT FROM g.field_key AND n.rn <= $4
ORDER BY lower(g.career_field) NULLS LAST, g.field_key, n.at DESC, n.note_key
"""


async def notes_by_field(
    conn: Conn, student_id: UUID, *, field_key: str | None, query: str | None, per_field: int
) -> NotesByField:
    """What people said, grouped by career field (alphabetical, no field last), newest first in each."""
    rows = await conn.fetch(_NOTES_BY_FIELD, student_id, field_key, query, per_field, MAX_FIELDS)
    fields: list[FieldNotes] = []
    for r in rows:
        if not fields or fields[-1].field_key != r["field_key"]:
            fields.append(
                FieldNotes(
                    career_field=r["career_field"],
                    field_key=r["field_key"],
                    contacts=r["contacts"],
                    total_notes=r["total"],
                    notes=[],
                )
            )
        fields[-1].notes.append(
            FieldNote(
                contact_id=r["contact_id"], contact_name=r["contact_name"], kind=r["kind"], at=r["at"], body=r["body"]
            )
        )
    return NotesByField(fields=fields)
