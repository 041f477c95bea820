"""A student's contacts as a connection, each with its history; loaded in batches, so a page of 50
contacts with their histories costs the same few statements as a page of 2."""

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

import msgspec
import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.eventstore.types import RecordedEvent
from backend.relationships.history import HistoryEntry, entry
from backend.relationships.readmodels import contacts
from backend.relationships.views import ContactSummary
from backend.web.cursors import Offset, encode_cursor
from backend.web.graphql.context import Context, saw
from backend.web.graphql.described import described
from backend.web.graphql.pagination import DEFAULT_PAGE, Connection, connection, decode_cursor, page_size

# -- loaders --------------------------------------------------------------------------------------

# Contacts by (student, id), with whom they were referred by (for `referredBy`), as the contact list
# writes them: any number of students' contacts in one statement.
_BY_ID = f"""
SELECT {contacts.SUMMARY_JSON} AS json, c.student_id, c.contact_id, c.referred_by
FROM unnest($1::uuid[], $2::uuid[]) AS k(student_id, contact_id)
JOIN ({contacts.CONTACTS}) ON c.contact_id = k.contact_id AND c.student_id = k.student_id
"""

HistoryKey = tuple[UUID, UUID, int, int]
"""(student id, contact id, after version, page size)."""
ContactKey = tuple[UUID, UUID]
"""(student id, contact id)."""


async def load_histories(ctx: Context, keys: list[HistoryKey]) -> list[list[RecordedEvent]]:
    """Each key's slice of its contact's stream (up to page + 1 events): the contacts' streams from their
    read model, then every slice from the store in one statement (personal fields unsealed, or REDACTED)."""
    async with ctx.store.pool.acquire() as conn:
        streams = await contacts.streams(conn, [(k[0], k[1]) for k in keys])
        wanted = [
            (i, streams[(k[0], k[1])], k[2], k[2] + k[3] + 1) for i, k in enumerate(keys) if (k[0], k[1]) in streams
        ]
        slices = await ctx.store.read_slices([(stream, after, upto) for _, stream, after, upto in wanted], conn=conn)
    by_key: list[list[RecordedEvent]] = [[] for _ in keys]
    for (i, *_), events in zip(wanted, slices, strict=True):
        by_key[i] = events
    return by_key


class Found(msgspec.Struct, frozen=True):
    summary: ContactSummary
    referred_by: UUID | None


async def load_contacts(ctx: Context, keys: list[ContactKey]) -> list[Found | None]:
    """Contacts by (student, id), whichever students they belong to, in one statement."""
    found: dict[ContactKey, Found] = {}
    async with ctx.store.pool.acquire() as conn:
        for row in await conn.fetch(_BY_ID, [k[0] for k in keys], [k[1] for k in keys]):
            summary = msgspec.json.decode(row["json"], type=ContactSummary)
            found[(row["student_id"], row["contact_id"])] = Found(summary, row["referred_by"])
    return [found.get(key) for key in keys]


PageKey = tuple[UUID, datetime | None, UUID | None, int]
"""(student id, after last activity, after contact id, page size): one page of one student's contacts."""

# Pages of several students' contacts in one statement: REST's list query (unfiltered: archived ones
# left out), run for each key inside a LATERAL join, with each key's own position and page size.
_PAGES = f"""
SELECT k.n, p.json, p.last_activity_at, p.contact_id
FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::integer[]) WITH ORDINALITY
     AS k(student_id, after_at, after_id, page, n)
CROSS JOIN LATERAL (
    SELECT {contacts.SUMMARY_JSON} AS json, c.last_activity_at, c.contact_id
    FROM {contacts.CONTACTS}
    WHERE c.student_id = k.student_id AND NOT c.archived
      AND (k.after_at IS NULL OR (c.last_activity_at, c.contact_id) < (k.after_at, k.after_id))
    ORDER BY c.last_activity_at DESC, c.contact_id DESC
    LIMIT k.page + 1
) p
ORDER BY k.n, p.last_activity_at DESC, p.contact_id DESC
"""


async def load_pages(ctx: Context, keys: list[PageKey]) -> list[list[ContactSummary]]:
    """Each key's page (up to page + 1 contacts, to know whether more follow), all in one statement."""
    pages: list[list[ContactSummary]] = [[] for _ in keys]
    async with ctx.store.pool.acquire() as conn:
        rows = await conn.fetch(
            _PAGES, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys], [k[3] for k in keys]
        )
    for row in rows:
        pages[row["n"] - 1].append(msgspec.json.decode(row["json"], type=ContactSummary))
    return pages


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


@strawberry.type(
    description="Someone the student is in touch with: seen by the student and by an advisor with a `notes` grant"
    " (Student.contacts needs one)."
)
class Contact:
    summary: strawberry.Private[ContactSummary]
    student_id: strawberry.Private[UUID]

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

    @strawberry.field
    def name(self) -> str:
        return self.summary.name

    @strawberry.field
    def title(self) -> str | None:
        return self.summary.title

    @strawberry.field
    def organization(self) -> str | None:
        return self.summary.organization

    @strawberry.field
    def tags(self) -> list[str]:
        return self.summary.tags

    @described("What to do next with this person.")
    def next_action(self) -> str | None:
        return self.summary.next_action

    @described("Who referred the student to this person, if anyone.")
    async def referred_by(self, info: Info[Context, Any]) -> "Contact | None":
        loader = info.context.loader(load_contacts)
        me = await loader.load((self.student_id, self.summary.id))
        if me is None or me.referred_by is None:
            return None
        found = await loader.load((self.student_id, me.referred_by))
        return Contact(summary=found.summary, student_id=self.student_id) if found else None

    @described("Every recorded step, oldest first.")
    async def history(
        self, info: Info[Context, Any], first: int = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[HistoryItem]:
        saw(info.context, self.student_id, "history", self.summary.id)
        info.context.keep = False  # personal fields a forget may redact with no event: never kept
        limit = page_size(first)
        start = decode_cursor(after, Offset) if after is not None else 0
        events = await info.context.loader(load_histories).load((self.student_id, self.summary.id, start, limit))
        you = info.context.principal.actor_id
        items = [(encode_cursor(e.version), HistoryItem.of(entry(e, you))) for e in events[:limit]]
        return connection(items, more=len(events) > limit)


async def contacts_page(ctx: Context, student_id: UUID, *, first: int, after: str | None) -> Connection[Contact]:
    """A page of contacts, most recently active first: REST's list query, unfiltered (archived left out),
    loaded with every other student's page the query asks for in one statement."""
    limit = page_size(first)
    position = decode_cursor(after, tuple[datetime, UUID]) if after is not None else None
    key = (student_id, position[0] if position else None, position[1] if position else None, limit)
    summaries = await ctx.loader(load_pages).load(key)
    items = [
        (encode_cursor((s.last_activity_at, s.id)), Contact(summary=s, student_id=student_id))
        for s in summaries[:limit]
    ]
    return connection(items, more=len(summaries) > limit)
