"""/api/v1/contacts: the student's network, and every step of each relationship as a command.

Each step is `POST /contacts/{id}/<step>`: the body is the command, the answer is the contact as it
now stands (with its new `ETag`). Steps that create something (an interview, an action item, a
referred contact) answer 201 with its `Location`.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.eventstore import EventStore
from backend.fields import NO_NUL
from backend.relationships import service
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
from backend.relationships.readmodels import contacts as read
from backend.relationships.views import ContactDetail, ContactPage, ShownStage
from backend.web import idempotency
from backend.web.answers import ANSWERS, kept_responses
from backend.web.cursors import encode_cursor
from backend.web.opts import COMPRESSED_HERE
from backend.web.problems import COMMAND_PROBLEMS, READ_PROBLEMS
from backend.web.support import (
    Cursor,
    IdempotencyKey,
    IfMatch,
    IfNoneMatch,
    Limit,
    StudentScope,
    decode_cursor,
    etag,
    expected_version,
)

StageFilter = ShownStage | Literal["referrer"]


def now() -> datetime:
    return datetime.now(UTC)


def step(path: str, command: type[Any], doc: str, *, created: str | None = None) -> HTTPRouteHandler:
    """The route of one lifecycle step: its operation id is the command's name, its body the command.

    A step that creates something (`created` names the id it fills) answers 201 with `Location`.
    """

    async def handler(
        self: Controller,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        contact_id: FromPath[UUID],
        data: Any,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactDetail]:
        return await _step(
            store, student, contact_id, data, if_match=if_match, idempotency_key=idempotency_key, created=created
        )

    handler.__annotations__["data"] = Annotated[command, BodyKwarg(media_type=RequestEncodingType.JSON)]
    handler.__doc__ = doc
    handler.__name__ = handler.__qualname__ = command.__name__
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", command.__name__).capitalize()
    return post(
        f"/{{contact_id:uuid}}/{path}",
        operation_id=command.__name__,
        summary=words,
        status_code=HTTP_201_CREATED if created else HTTP_200_OK,
        responses=COMMAND_PROBLEMS,
    )(handler)


class ContactController(Controller):
    path = "/contacts"
    tags = ["contacts"]  # noqa: RUF012 - Litestar's own attribute

    @get(
        operation_id="ListContacts",
        opt=COMPRESSED_HERE,
        responses=kept_responses(ContactPage, "One page of contacts"),
    )
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
        if_none_match: IfNoneMatch = None,
        request: Request[Any, Any, Any],
    ) -> Response[bytes]:
        """The network, most recently active first, a page at a time."""
        after = decode_cursor(cursor, tuple[datetime, UUID]) if cursor is not None else None
        filters = read.ContactFilter(stages=_stages(stage), field=field, tag=tag, due=due, q=q)
        async with store.pool.acquire() as conn:

            async def produce() -> bytes:
                items, last = await read.list_contacts(conn, student.student_id, filters, after=after, limit=limit)
                # The items come as JSON from PostgreSQL (read.SUMMARY_JSON): the page is assembled, not encoded.
                next_cursor = msgspec.json.encode(encode_cursor(last) if last else None)
                return b'{"items":[' + ",".join(items).encode() + b'],"nextCursor":' + next_cursor + b"}"

            key = ("contacts", filters, cursor, limit)
            return await ANSWERS.answer(
                conn,
                student.student_id,
                key,
                produce,
                if_none_match=if_none_match,
                accept_encoding=request.headers.get("accept-encoding"),
            )

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

    # Every step of a relationship: POST /contacts/{id}/<step>, the command as its body.
    request = step(
        "requests",
        RequestInterview,
        "Record the request you sent (who you are, how you heard of them, not a job, 15-30 minutes).",
    )
    follow_up = step("follow-ups", FollowUpRequest, "Record a polite nudge after no reply.")
    answer = step("answers", RecordAnswer, "Record their answer to your request: accepted or declined.")
    schedule = step(
        "interviews",
        ScheduleInterview,
        "Schedule the conversation. `Location` is the new interview.",
        created="interview_id",
    )
    reschedule = step("reschedules", RescheduleInterview, "Move a scheduled interview to a new time.")
    cancel = step("cancellations", CancelInterview, "Cancel a scheduled interview, saying why and by whom.")
    held = step(
        "held",
        RecordInterviewHeld,
        "Right after the conversation: notes, questions asked, takeaways, advice, and how it fits you.",
    )
    thanks = step(
        "thanks",
        SendThanks,
        "Record the thank-you, naming the specific thing that helped (within 2 business days is on time).",
    )
    referral = step(
        "referrals",
        RecordReferral,
        "Someone they suggested you talk to: added as a new contact (`Location`), linked both ways.",
        created="referred_contact_id",
    )
    add_action_item = step(
        "action-items", AddActionItem, "Something you promised to do (and then report back on).", created="item_id"
    )
    complete_action_item = step("completed-action-items", CompleteActionItem, "Mark a promise as kept.")
    reflection = step("reflections", RecordReflection, "What you learned, and what you will do next.")
    keep_in_touch = step("touches", KeepInTouch, "An update sent to stay in touch.")
    note = step("notes", AddNote, "A free note about this relationship.")
    archive = step("archive", ArchiveContact, "Put this relationship aside (its history stays; restore it any time).")
    restore = step("restore", RestoreContact, "Bring an archived relationship back.")
    erase = step(
        "erasure",
        EraseContact,
        "Erase this person's personal data for good; dates, stages and counts remain. Cannot be undone.",
    )


def _stages(stage: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(stage) if stage else None


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
    if isinstance(command, EraseContact):
        # Answers kept for Idempotency-Key replays may quote this person: they go too.
        await idempotency.forget_answers(store.pool, student.student_id)
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
