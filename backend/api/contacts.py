"""/api/v1/contacts: the student's network, and every step of each relationship as a command.

Each step is `POST /contacts/{id}/<step>`: the body is the command, the answer is the contact as it
now stands (with its new `ETag`). Steps that create something (an interview, an action item, a
referred contact) answer 201 with its `Location`.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.api.support import (
    Cursor,
    IdempotencyKey,
    IfMatch,
    Limit,
    StudentScope,
    decode_cursor,
    encode_cursor,
    etag,
    expected_version,
)
from backend.eventstore import EventStore
from backend.fields import NO_NUL
from backend.problems import COMMAND_PROBLEMS, READ_PROBLEMS
from backend.relationships import read, service
from backend.relationships.commands.contact import (
    AddContact,
    AddNote,
    ArchiveContact,
    EditContactDetails,
    EraseContact,
    RestoreContact,
)
from backend.relationships.commands.follow_through import (
    AddActionItem,
    CompleteActionItem,
    KeepInTouch,
    RecordReferral,
    RecordReflection,
    SendThanks,
)
from backend.relationships.commands.interview import (
    CancelInterview,
    RecordInterviewHeld,
    RescheduleInterview,
    ScheduleInterview,
)
from backend.relationships.commands.request import FollowUpRequest, RecordAnswer, RequestInterview
from backend.relationships.views import ContactDetail, ContactPage, ShownStage

StageFilter = ShownStage | Literal["referrer"]


def now() -> datetime:
    return datetime.now(UTC)


class ContactController(Controller):
    path = "/contacts"
    tags = ["contacts"]  # noqa: RUF012 - Litestar's own attribute

    @get(operation_id="ListContacts", responses=READ_PROBLEMS)
    async def list_contacts(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        stage: Annotated[
            list[StageFilter] | None,
            QueryParameter(
                required=False,
                description="Only these stages (repeatable); `referrer`: people who referred you to someone. "
                "Archived contacts are left out unless asked for.",
            ),
        ] = None,
        field: Annotated[
            str | None, QueryParameter(required=False, max_length=200, pattern=NO_NUL, description="A career field.")
        ] = None,
        tag: Annotated[str | None, QueryParameter(required=False, max_length=40, pattern=NO_NUL)] = None,
        due: Annotated[
            read.DueFilter | None, QueryParameter(required=False, description="When the next action is due.")
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                required=False,
                max_length=200,
                pattern=NO_NUL,
                description="Words in names, organizations, fields, notes.",
            ),
        ] = None,
        cursor: Cursor = None,
        limit: Limit = 25,
    ) -> ContactPage:
        """The network, most recently active first, a page at a time."""
        after = decode_cursor(cursor, tuple[datetime, UUID]) if cursor else None
        filters = read.ContactFilter(stages=_stages(stage), field=field, tag=tag, due=due, q=q)
        async with store.pool.acquire() as conn:
            items, last = await read.list_contacts(conn, student.student_id, filters, after=after, limit=limit)
        return ContactPage(items=items, next_cursor=encode_cursor(last) if last else None)

    @post(operation_id="AddContact", status_code=HTTP_201_CREATED, responses=COMMAND_PROBLEMS)
    async def add_contact(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        data: JSONBody[AddContact],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Add a person: a name and how you found them are enough."""
        outcome = await service.add(store, student.actor(idempotency_key), data, now())
        return await _answer(store, student, outcome, status=HTTP_201_CREATED, created=outcome.contact_id)

    @get("/{contact_id:uuid}", operation_id="GetContact", responses=READ_PROBLEMS)
    async def get_contact(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore], contact_id: FromPath[UUID]
    ) -> Response[ContactDetail]:
        """One relationship: its stage, what to do next, every interview and promise."""
        async with store.pool.acquire() as conn:
            view = await read.contact_detail(conn, student.student_id, contact_id)
        return Response(view, headers={"ETag": etag(view.version)})

    @patch("/{contact_id:uuid}", operation_id="EditContact", responses=COMMAND_PROBLEMS)
    async def edit_contact(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[EditContactDetails],
        if_match: IfMatch = None,
    ) -> Response[ContactDetail]:
        """Change some details; omitted fields stay, an empty string clears an optional one."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=None)

    @post(
        "/{contact_id:uuid}/requests",
        operation_id="RequestInterview",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def request(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RequestInterview],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Record the request you sent (who you are, how you heard of them, not a job, 15-30 minutes)."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/follow-ups",
        operation_id="FollowUpRequest",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def follow_up(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[FollowUpRequest],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Record a polite nudge after no reply."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/answers", operation_id="RecordAnswer", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS
    )
    async def answer(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RecordAnswer],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Record their answer to your request: accepted or declined."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/interviews",
        operation_id="ScheduleInterview",
        status_code=HTTP_201_CREATED,
        responses=COMMAND_PROBLEMS,
    )
    async def schedule(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[ScheduleInterview],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Schedule the conversation. `Location` is its calendar file."""
        return await _step(
            store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key, created="interview_id"
        )

    @post(
        "/{contact_id:uuid}/reschedules",
        operation_id="RescheduleInterview",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def reschedule(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RescheduleInterview],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Move a scheduled interview to a new time."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/cancellations",
        operation_id="CancelInterview",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def cancel(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[CancelInterview],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Cancel a scheduled interview, saying why and by whom."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/held",
        operation_id="RecordInterviewHeld",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def held(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RecordInterviewHeld],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Right after the conversation: notes, questions asked, takeaways, advice, and how it fits you."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post("/{contact_id:uuid}/thanks", operation_id="SendThanks", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS)
    async def thanks(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[SendThanks],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Record the thank-you, naming the specific thing that helped (within 2 business days is on time)."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/referrals",
        operation_id="RecordReferral",
        status_code=HTTP_201_CREATED,
        responses=COMMAND_PROBLEMS,
    )
    async def referral(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RecordReferral],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Someone they suggested you talk to: added as a new contact (`Location`), linked both ways."""
        return await _step(
            store,
            student,
            contact_id,
            data,
            if_match=if_match,
            idempotency_key=idempotency_key,
            created="referred_contact_id",
        )

    @post(
        "/{contact_id:uuid}/action-items",
        operation_id="AddActionItem",
        status_code=HTTP_201_CREATED,
        responses=COMMAND_PROBLEMS,
    )
    async def add_action_item(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[AddActionItem],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Something you promised to do (and then report back on)."""
        return await _step(
            store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key, created="item_id"
        )

    @post(
        "/{contact_id:uuid}/completed-action-items",
        operation_id="CompleteActionItem",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def complete_action_item(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[CompleteActionItem],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Mark a promise as kept."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/reflections",
        operation_id="RecordReflection",
        status_code=HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )
    async def reflection(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RecordReflection],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """What you learned, and what you will do next."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post("/{contact_id:uuid}/touches", operation_id="KeepInTouch", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS)
    async def keep_in_touch(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[KeepInTouch],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """An update sent to stay in touch."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post("/{contact_id:uuid}/notes", operation_id="AddNote", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS)
    async def note(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[AddNote],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """A free note about this relationship."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/archive", operation_id="ArchiveContact", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS
    )
    async def archive(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[ArchiveContact],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Put this relationship aside (its history stays; restore it any time)."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/restore", operation_id="RestoreContact", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS
    )
    async def restore(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[RestoreContact],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Bring an archived relationship back."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)

    @post(
        "/{contact_id:uuid}/erasure", operation_id="EraseContact", status_code=HTTP_200_OK, responses=COMMAND_PROBLEMS
    )
    async def erase(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: JSONBody[EraseContact],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        """Erase this person's personal data for good; dates, stages and counts remain. Cannot be undone."""
        return await _step(store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key)


def _stages(stage: Sequence[str] | None) -> list[str] | None:
    return list(stage) if stage else None


async def _step(
    store: NamedDependency[EventStore],
    student: NamedDependency[StudentScope],
    contact_id: FromPath[UUID],
    command: Any,
    *,
    if_match: str | None,
    idempotency_key: str | None,
    created: str | None = None,
) -> Response[ContactDetail]:
    outcome = await service.run(
        store, student.actor(idempotency_key), contact_id, command, now(), if_match=expected_version(if_match)
    )
    if created is None or outcome.created is None:
        return await _answer(store, student, outcome)
    return await _answer(store, student, outcome, status=HTTP_201_CREATED, created=outcome.created, kind=created)


def _location(contact_id: FromPath[UUID], created: UUID, kind: str | None) -> str:
    base = "/api/v1/contacts"
    if kind == "interview_id":
        return f"/api/v1/interviews/{created}"
    if kind == "item_id":
        return f"{base}/{contact_id}#action-item-{created}"
    return f"{base}/{created}"


async def _answer(
    store: NamedDependency[EventStore],
    student: NamedDependency[StudentScope],
    outcome: service.Outcome,
    *,
    status: int = HTTP_200_OK,
    created: UUID | None = None,
    kind: str | None = None,
) -> Response[ContactDetail]:
    async with store.pool.acquire() as conn:
        view = await read.contact_detail(conn, student.student_id, outcome.contact_id)
    headers = {"ETag": etag(view.version)}
    if created is not None:
        headers["Location"] = _location(outcome.contact_id, created, kind)
    return Response(view, status_code=status, headers=headers)
