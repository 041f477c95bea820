"""Search over contacts and notes (their full-text columns), best match first."""

from uuid import UUID

from backend.eventstore.types import Conn
from backend.relationships.readmodels.contacts import (
    CONTACTS,
    SUMMARY_COLUMNS,
)
from backend.relationships.readmodels.notes import FieldNote
from backend.relationships.views import (
    ContactSummary,
    View,
    summary_fields,
)


class FoundNote(FieldNote):
    career_field: str | None


class SearchResults(View):
    contacts: list[ContactSummary]
    notes: list[FoundNote]


_SEARCH_CONTACTS = f"""
SELECT {SUMMARY_COLUMNS} FROM {CONTACTS} CROSS JOIN to_tsquery('simple', $2) q
WHERE c.student_id = $1 AND c.search @@ q
ORDER BY ts_rank(c.search, q) DESC, c.last_activity_at DESC, c.contact_id
LIMIT $3
"""

_SEARCH_NOTES = """
SELECT f.contact_id, c.name AS contact_name, f.career_field, f.kind, f.at, f.body
FROM field_notes f JOIN contacts c ON c.student_id = f.student_id AND c.contact_id = f.contact_id
     CROSS JOIN to_tsquery('simple', $2) q
WHERE f.student_id = $1 AND f.search @@ q
ORDER BY ts_rank(f.search, q) DESC, f.at DESC, f.note_key
LIMIT $3
"""


async def search(conn: Conn, student_id: UUID, query: str, *, limit: int) -> SearchResults:
    """Contacts and notes matching a prefix query, best match first."""
    contacts = [
        ContactSummary(**summary_fields(r)) for r in await conn.fetch(_SEARCH_CONTACTS, student_id, query, limit)
    ]
    notes = [
        FoundNote(
            contact_id=r["contact_id"],
            contact_name=r["contact_name"],
            career_field=r["career_field"],
            kind=r["kind"],
            at=r["at"],
            body=r["body"],
        )
        for r in await conn.fetch(_SEARCH_NOTES, student_id, query, limit)
    ]
    return SearchResults(contacts=contacts, notes=notes)
