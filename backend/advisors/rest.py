"""Consent over REST: a student's advisors and the audit of their reads (/me/…), an advisor's invite codes (/advisor/…).

Granting, changing and revoking are commands on the student's own stream (backend/students/commands.py);
the `advisors` inline projection shows each in `advisor_grants` in the same transaction, which is what
`backend/advisors/access.py` reads on every request.
"""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_409_CONFLICT

from backend.advisors import grants
from backend.advisors.grants import AdvisorAccessView, AdvisorReadView, InviteCodeView
from backend.errors import ValidationFailedError
from backend.eventstore import EventStore
from backend.fields import Body, Email
from backend.relationships.views import View
from backend.students.commands import (
    ChangeAdvisorScope,
    GrantAdvisorAccess,
    NoSuchAdvisorError,
    NotGrantedError,
    RevokeAdvisorAccess,
)
from backend.students.events import AdvisorScope, GrantedVia
from backend.students.rest import run_command
from backend.web.cursors import RowId, encode_cursor
from backend.web.problems import COMMAND_PROBLEMS, READ_PROBLEMS, problem
from backend.web.support import (
    AdvisorAccount,
    Cursor,
    IdempotencyKey,
    IfMatch,
    Limit,
    StudentScope,
    decode_cursor,
)

InviteCodeText = Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9 -]+$")]


class GrantAccessBody(Body, frozen=True, kw_only=True):
    """Who (the advisor's email, or an invite code the advisor gave you: one of the two) and what they may see."""

    scope: AdvisorScope
    """`summary`: counts, stages and dates. `notes`: also names, notes and each relationship's history."""
    email: Email | None = None
    invite_code: InviteCodeText | None = None


class ChangeScopeBody(Body, frozen=True, kw_only=True):
    scope: AdvisorScope


class AdvisorAccessPage(View):
    items: list[AdvisorAccessView]
    next_cursor: str | None


class AdvisorReadPage(View):
    items: list[AdvisorReadView]
    next_cursor: str | None


class InviteCodePage(View):
    items: list[InviteCodeView]
    next_cursor: str | None


async def _grant_view(store: EventStore, student: StudentScope, advisor_id: UUID) -> AdvisorAccessView:
    async with store.pool.acquire() as conn:
        found = await grants.grant(conn, student.student_id, advisor_id)
    if found is None:
        raise NotGrantedError("You have not granted this advisor access.")
    return found


class MyAdvisorsController(Controller):
    path = "/me"
    tags = ["advisors"]  # noqa: RUF012 - Litestar's own attribute

    @get("/advisors", operation_id="ListMyAdvisors", responses=READ_PROBLEMS)
    async def list_advisors(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        cursor: Cursor = None,
        limit: Limit = 25,
    ) -> AdvisorAccessPage:
        """The advisors who may see your data now, and at what scope, the earliest grant first."""
        after = decode_cursor(cursor, tuple[datetime, UUID]) if cursor is not None else None
        async with store.pool.acquire() as conn:
            found = await grants.grants(conn, student.student_id, after=after, limit=limit + 1)
        items = found[:limit]
        more = len(found) > limit
        return AdvisorAccessPage(
            items=items, next_cursor=encode_cursor((items[-1].granted_at, items[-1].advisor_id)) if more else None
        )

    @post("/advisors", operation_id="GrantAdvisorAccess", status_code=HTTP_201_CREATED, responses=COMMAND_PROBLEMS)
    async def grant_access(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        data: JSONBody[GrantAccessBody],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[AdvisorAccessView]:
        """Let an advisor see your data, found by their email or an invite code; it takes effect at once."""
        if (data.email is None) == (data.invite_code is None):
            raise ValidationFailedError("Give either the advisor's email or an invite code, not both.")
        via: GrantedVia = "email" if data.email is not None else "invite_code"
        async with store.pool.acquire() as conn:
            advisor_id = await grants.advisor_by(conn, email=data.email, invite_code=data.invite_code)
        if advisor_id is None:
            raise NoSuchAdvisorError(
                "No advisor has this email." if via == "email" else "No advisor has this invite code."
            )
        command = GrantAdvisorAccess(advisor_id=advisor_id, scope=data.scope, via=via)
        await run_command(store, student, command, if_match, idempotency_key)
        view = await _grant_view(store, student, advisor_id)
        return Response(view, status_code=HTTP_201_CREATED, headers={"Location": f"/api/v1/me/advisors/{advisor_id}"})

    @get("/advisors/{advisor_id:uuid}", operation_id="GetMyAdvisor", responses=READ_PROBLEMS)
    async def get_advisor(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore], advisor_id: FromPath[UUID]
    ) -> AdvisorAccessView:
        """One advisor's live access to your data."""
        return await _grant_view(store, student, advisor_id)

    @patch("/advisors/{advisor_id:uuid}", operation_id="ChangeAdvisorScope", responses=COMMAND_PROBLEMS)
    async def change_scope(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        advisor_id: FromPath[UUID],
        data: JSONBody[ChangeScopeBody],
        if_match: IfMatch = None,
    ) -> AdvisorAccessView:
        """Widen or narrow what an advisor may see; their next request sees the new scope."""
        await run_command(store, student, ChangeAdvisorScope(advisor_id=advisor_id, scope=data.scope), if_match)
        return await _grant_view(store, student, advisor_id)

    @delete("/advisors/{advisor_id:uuid}", operation_id="RevokeAdvisorAccess", responses=COMMAND_PROBLEMS)
    async def revoke(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        advisor_id: FromPath[UUID],
        if_match: IfMatch = None,
    ) -> None:
        """Take an advisor's access away; their next request is refused."""
        await run_command(store, student, RevokeAdvisorAccess(advisor_id=advisor_id), if_match)

    @get("/advisor-reads", operation_id="ListAdvisorReads", responses=READ_PROBLEMS)
    async def list_reads(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        cursor: Cursor = None,
        limit: Limit = 25,
    ) -> AdvisorReadPage:
        """Who looked at what of your data, and when: every advisor read, the latest first."""
        before = decode_cursor(cursor, RowId) if cursor is not None else None
        async with store.pool.acquire() as conn:
            found = await grants.reads(conn, student.student_id, before=before, limit=limit + 1)
        items = found[:limit]
        return AdvisorReadPage(items=items, next_cursor=encode_cursor(items[-1].id) if len(found) > limit else None)


class AdvisorController(Controller):
    path = "/advisor"
    tags = ["advisors"]  # noqa: RUF012 - Litestar's own attribute

    @post("/invite-codes", operation_id="CreateInviteCode", status_code=HTTP_201_CREATED, responses=COMMAND_PROBLEMS)
    async def create_invite_code(
        self, *, advisor: NamedDependency[AdvisorAccount], store: NamedDependency[EventStore]
    ) -> InviteCodeView:
        """A new short code to give your students: with it they grant you access without typing your email."""
        async with store.pool.acquire() as conn:
            created = await grants.create_invite_code(conn, advisor.advisor_id, datetime.now(UTC))
        if created is None:
            raise problem(
                HTTP_409_CONFLICT,
                "too-many-invite-codes",
                "You have as many invite codes as an advisor may",
                f"An advisor may have {grants.MAX_INVITE_CODES} invite codes; reuse one of them.",
            )
        return created

    @get("/invite-codes", operation_id="ListInviteCodes", responses=READ_PROBLEMS)
    async def list_invite_codes(
        self,
        *,
        advisor: NamedDependency[AdvisorAccount],
        store: NamedDependency[EventStore],
        cursor: Cursor = None,
        limit: Limit = 25,
    ) -> InviteCodePage:
        """Your invite codes, in code order."""
        after = decode_cursor(cursor, str) if cursor is not None else None
        async with store.pool.acquire() as conn:
            found = await grants.invite_codes(conn, advisor.advisor_id, after=after, limit=limit + 1)
        items = found[:limit]
        return InviteCodePage(items=items, next_cursor=encode_cursor(items[-1].code) if len(found) > limit else None)
