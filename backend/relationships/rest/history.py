"""A relationship's audit trail, its state on any past date, and the emails to send next."""

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST

from backend.errors import NotFoundError
from backend.eventstore import EventStore
from backend.fields import Timestamp, in_range
from backend.relationships import drafts, service
from backend.relationships.events import MeetingFormat
from backend.relationships.history import HistoryPage, entry
from backend.relationships.readmodels import contacts as read
from backend.relationships.state import fold
from backend.relationships.views import ContactDetail
from backend.students.state import StudentState
from backend.web.cursors import Offset, encode_cursor
from backend.web.problems import READ_PROBLEMS, problem
from backend.web.support import Cursor, Limit, StudentScope, decode_cursor

DraftKind = Literal["request", "follow-up", "thanks"]


class ContactHistoryController(Controller):
    path = "/contacts/{contact_id:uuid}"
    tags = ["history"]  # noqa: RUF012 - Litestar's own attribute

    @get("/history", operation_id="GetContactHistory", responses=READ_PROBLEMS)
    async def history(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> HistoryPage:
        """Every recorded step of this relationship, oldest first: what, when, and by whom."""
        after = decode_cursor(cursor, Offset) if cursor is not None else 0
        async with store.pool.acquire() as conn:
            loaded = await service.load_contact(conn, student.student_id, contact_id)  # yours, or 404
            events = await store.read_stream(
                loaded.stream, from_version=after + 1, to_version=after + limit + 1, conn=conn
            )
        items = [entry(e, student.actor_id) for e in events[:limit]]
        more = len(events) > limit
        return HistoryPage(items=items, next_cursor=encode_cursor(items[-1].version) if more else None)

    @get("/as-of", operation_id="GetContactAsOf", responses=READ_PROBLEMS)
    async def as_of(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        at: Annotated[Timestamp, QueryParameter(description="A moment with its offset, e.g. 2026-03-01T12:00:00Z.")],
    ) -> ContactDetail:
        """The relationship as it stood at `at`, folded from the events recorded until then."""
        if at.tzinfo is None:
            raise problem(
                HTTP_400_BAD_REQUEST,
                "naive-time",
                "A moment needs its offset",
                "Add Z or +hh:mm, e.g. 2026-03-01T12:00Z.",
            )
        try:
            in_range("at", at)
        except ValueError as error:
            raise problem(HTTP_400_BAD_REQUEST, "out-of-range", "This moment is out of range", str(error)) from None
        async with store.pool.acquire() as conn:
            loaded = await service.load_contact(conn, student.student_id, contact_id)
            events = await store.read_stream(loaded.stream, as_of=at, conn=conn)
            if not events:
                raise NotFoundError("This contact had not been added yet at that moment.")
            state = fold([(e.event, e.recorded_at) for e in events])
            row = await conn.fetchrow(read.ONE, student.student_id, contact_id)
            view = await read.detail_of(conn, student.student_id, row, state)
        # The stage and counts are the past state's; the agenda and next steps are not history.
        return msgspec.structs.replace(
            view,
            version=events[-1].version,
            stage=state.stage(),
            agenda=[],
            next_steps=[],
            steps_after={},
            next_action=None,
            next_due=None,
            archived=state.archived,
            erased=state.erased,
            name=state.name,
            title=state.title,
            organization=state.organization,
            career_field=state.career_field,
            tags=list(state.tags),
            last_activity_at=state.last_activity_at or view.last_activity_at,
        )

    @get("/drafts/{kind:str}", operation_id="GetDraft", responses=READ_PROBLEMS)
    async def draft(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        kind: FromPath[DraftKind],
        format: Annotated[
            MeetingFormat, QueryParameter(description="For a request: the format you ask for.")
        ] = "video",
        minutes: Annotated[int, QueryParameter(ge=15, le=30, description="For a request: 15-30 minutes.")] = 20,
        helpful_thing: Annotated[
            str | None,
            QueryParameter(name="helpfulThing", required=False, max_length=500, description="For thanks: what helped."),
        ] = None,
    ) -> drafts.Draft:
        """A ready-to-send email (with a `mailto:` link) filled from the contact and your profile."""
        async with store.pool.acquire() as conn:
            contact = (await service.load_contact(conn, student.student_id, contact_id)).state
            profile = await conn.fetchval("SELECT profile FROM students WHERE student_id = $1", student.student_id)
            referrer = None
            if contact.referred_by is not None:
                referrer = await conn.fetchval(
                    "SELECT name FROM contacts WHERE student_id = $1 AND contact_id = $2 AND NOT erased",
                    student.student_id,
                    contact.referred_by,
                )
        me = msgspec.convert(profile, StudentState)
        if kind == "request":
            return drafts.request_draft(contact, me, format=format, minutes=minutes, referrer_name=referrer)
        if kind == "follow-up":
            return drafts.follow_up_draft(contact, me)
        return drafts.thanks_draft(contact, me, helpful_thing=helpful_thing or contact.last_helpful_thing)
