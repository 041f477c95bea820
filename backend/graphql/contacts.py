"""A student's contacts as a connection, each with its history; loaded in batches, so a page of 50
contacts with their histories costs the same few statements as a page of 2."""

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

import msgspec
import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.eventstore.store import EVENT_COLUMNS
from backend.eventstore.types import RecordedEvent
from backend.graphql.context import Context, Scope, needs_notes, saw
from backend.graphql.described import described
from backend.graphql.pagination import DEFAULT_PAGE, Connection, connection, decode_cursor, encode_cursor, page_size
from backend.relationships import read
from backend.relationships.events import contact_stream
from backend.relationships.history import HistoryEntry, entry
from backend.relationships.views import ContactSummary

# -- loaders --------------------------------------------------------------------------------------

# Several contacts' events in one statement: each key names a stream and the slice of it wanted (one
# more than the page, to know whether more follow).
_HISTORIES = f"""
SELECT {EVENT_COLUMNS} FROM events e
JOIN unnest($1::text[], $2::integer[], $3::integer[]) AS k(stream_id, after, page)
  ON e.stream_id = k.stream_id AND e.version > k.after AND e.version <= k.after + k.page + 1
ORDER BY e.stream_id, e.version
"""

# Contacts by id, with whom they were referred by (for `referredBy`), as the contact list writes them.
_BY_ID = f"""
SELECT {read.SUMMARY_JSON} AS json, c.contact_id, c.referred_by FROM {read.CONTACTS}
WHERE c.student_id = $1 AND c.contact_id = ANY ($2::uuid[])
"""

HistoryKey = tuple[UUID, int, int]
"""(contact id, after version, page size)."""
ContactKey = tuple[UUID, UUID]
"""(student id, contact id)."""


async def load_histories(ctx: Context, keys: list[HistoryKey]) -> list[list[RecordedEvent]]:
    """Each key's slice of its contact's stream (up to page + 1 events), for all keys in one statement."""
    async with ctx.store.pool.acquire() as conn:
        rows = await conn.fetch(
            _HISTORIES,
            [contact_stream(k[0]) for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
        )
        # The store's own decoding: personal fields unsealed with their subjects' keys (or REDACTED).
        events = await ctx.store._decode_rows(conn, rows)
    by_stream: dict[str, list[RecordedEvent]] = {}
    for event in events:
        by_stream.setdefault(event.stream_id, []).append(event)
    return [
        [e for e in by_stream.get(contact_stream(contact_id), []) if after < e.version <= after + page + 1]
        for contact_id, after, page in keys
    ]


class Found(msgspec.Struct, frozen=True):
    summary: ContactSummary
    referred_by: UUID | None


async def load_contacts(ctx: Context, keys: list[ContactKey]) -> list[Found | None]:
    """Contacts by id, one statement per student asked about (a dashboard asks about one at a time)."""
    found: dict[ContactKey, Found] = {}
    students: dict[UUID, list[UUID]] = {}
    for student_id, contact_id in keys:
        students.setdefault(student_id, []).append(contact_id)
    async with ctx.store.pool.acquire() as conn:
        for student_id, ids in students.items():
            for row in await conn.fetch(_BY_ID, student_id, ids):
                summary = msgspec.json.decode(row["json"], type=ContactSummary)
                found[(student_id, row["contact_id"])] = Found(summary, row["referred_by"])
    return [found.get(key) for key in keys]


# -- types ----------------------------------------------------------------------------------------


@strawberry.type
class HistoryActor:
    id: str
    label: str = strawberry.field(description="`you`, or who else recorded it (an advisor, the system).")


@strawberry.type(description="One recorded step of a relationship: what, when, and by whom.")
class HistoryItem:
    version: int
    type: str
    recorded_at: datetime
    actor: HistoryActor
    summary: str
    data: JSON
    redacted: list[str] = strawberry.field(description="Fields whose personal data has been erased.")

    @staticmethod
    def of(view: HistoryEntry) -> "HistoryItem":
        return HistoryItem(
            version=view.version,
            type=view.type,
            recorded_at=view.recorded_at,
            actor=HistoryActor(id=view.actor.id, label=view.actor.label),
            summary=view.summary,
            data=cast(JSON, view.data),
            redacted=view.redacted,
        )


NOTES_ONLY = "a `notes` grant"


@strawberry.type(description="Someone the student is in touch with. Names and notes need the `notes` scope.")
class Contact:
    summary: strawberry.Private[ContactSummary]
    student_id: strawberry.Private[UUID]
    scope: strawberry.Private[Scope]

    @strawberry.field
    def id(self) -> UUID:
        return self.summary.id

    @strawberry.field
    def stage(self) -> str:
        return self.summary.stage

    @strawberry.field
    def career_field(self) -> str | None:
        return self.summary.career_field

    @described("This person referred the student to someone.")
    def referrer(self) -> bool:
        return self.summary.referrer

    @strawberry.field
    def last_activity_at(self) -> datetime:
        return self.summary.last_activity_at

    @strawberry.field
    def next_due(self) -> date | None:
        return self.summary.next_due

    @strawberry.field
    def archived(self) -> bool:
        return self.summary.archived

    @strawberry.field
    def erased(self) -> bool:
        return self.summary.erased

    @described(f"Needs {NOTES_ONLY}.")
    def name(self) -> str | None:
        needs_notes(self.scope, "name")
        return self.summary.name

    @described(f"Needs {NOTES_ONLY}.")
    def title(self) -> str | None:
        needs_notes(self.scope, "title")
        return self.summary.title

    @described(f"Needs {NOTES_ONLY}.")
    def organization(self) -> str | None:
        needs_notes(self.scope, "organization")
        return self.summary.organization

    @described(f"Needs {NOTES_ONLY}.")
    def tags(self) -> list[str] | None:
        needs_notes(self.scope, "tags")
        return self.summary.tags

    @described(f"What to do next with this person. Needs {NOTES_ONLY}.")
    def next_action(self) -> str | None:
        needs_notes(self.scope, "nextAction")
        return self.summary.next_action

    @described("Who referred the student to this person, if anyone.")
    async def referred_by(self, info: Info[Context, Any]) -> "Contact | None":
        loader = info.context.loader(load_contacts)
        me = await loader.load((self.student_id, self.summary.id))
        if me is None or me.referred_by is None:
            return None
        found = await loader.load((self.student_id, me.referred_by))
        return Contact(summary=found.summary, student_id=self.student_id, scope=self.scope) if found else None

    @described(f"Every recorded step, oldest first. Needs {NOTES_ONLY}.")
    async def history(
        self, info: Info[Context, Any], first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[HistoryItem] | None:
        needs_notes(self.scope, "history")
        saw(info.context, self.student_id, "history")
        limit = page_size(first)
        start = decode_cursor(after, int) if after else 0
        events = await info.context.loader(load_histories).load((self.summary.id, start, limit))
        you = info.context.principal.actor_id
        items = [(encode_cursor(e.version), HistoryItem.of(entry(e, you))) for e in events[:limit]]
        return connection(items, more=len(events) > limit)


async def contacts_page(
    ctx: Context, student_id: UUID, scope: Scope, *, first: int, after: str | None
) -> Connection[Contact]:
    """A page of contacts, most recently active first: REST's list query, unfiltered (archived left out)."""
    limit = page_size(first)
    position = decode_cursor(after, tuple[datetime, UUID]) if after else None
    async with ctx.store.pool.acquire() as conn:
        rows, following = await read.list_contacts(conn, student_id, read.ContactFilter(), after=position, limit=limit)
    summaries = [msgspec.json.decode(r, type=ContactSummary) for r in rows]
    items = [
        (encode_cursor((s.last_activity_at, s.id)), Contact(summary=s, student_id=student_id, scope=scope))
        for s in summaries
    ]
    return connection(items, more=following is not None)
