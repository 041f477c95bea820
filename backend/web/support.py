"""What every REST route shares: the student scope, versions as ETags, idempotency keys, cursors.

Tenancy lives here, once: a route that touches a student's data declares `scope: StudentScope`, and
the scope is built only from the signed-in principal. Every read and every command takes it, so no
handler ever chooses whose data it reads.
"""

import re
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, QueryParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_403_FORBIDDEN

from backend.accounts.principal import principal_of
from backend.advisors import access
from backend.eventstore import EventStore
from backend.relationships.service import Actor, command_id_for
from backend.web import cursors
from backend.web.problems import problem

T = TypeVar("T")

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        min_length=1,
        max_length=200,
        description="Any unique string (a UUID is ideal). Repeating a request with the same key "
        "returns the first response and records nothing twice.",
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        max_length=100,
        description="The ETag you last read. If the resource changed since, the answer is 412 with its current "
        "version, and nothing is recorded.",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match",
        required=False,
        max_length=200,
        description="The ETag of the answer you have: if it is still current, the answer is 304 with no body.",
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size (1-100).")]
Cursor = Annotated[
    str | None, QueryParameter(required=False, max_length=200, description="`nextCursor` from the previous page.")
]


class StudentScope(msgspec.Struct, frozen=True, kw_only=True):
    """The student whose data a request may touch, and who is acting."""

    student_id: UUID
    actor_id: str

    def actor(self, idempotency_key: str | None) -> Actor:
        return Actor(
            student_id=self.student_id,
            actor_id=self.actor_id,
            command_id=command_id_for(self.actor_id, idempotency_key),
        )


def provide_scope(request: Request[Any, Any, Any], store: NamedDependency[EventStore]) -> StudentScope:
    """The signed-in student. (It takes `store` only so that Litestar resolves the two one after the
    other: dependencies at the same level are resolved in an anyio task group, a cost on every request.)"""
    principal = principal_of(request)
    if access.as_owner(principal, principal.account_id) is None:
        raise problem(
            HTTP_403_FORBIDDEN,
            "students-only",
            "Only students have a network of their own",
            "This route is for students. Advisors read the students who granted them access through /graphql.",
        )
    return StudentScope(student_id=principal.account_id, actor_id=principal.actor_id)


class AdvisorAccount(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in advisor."""

    advisor_id: UUID


def provide_advisor(request: Request[Any, Any, Any], store: NamedDependency[EventStore]) -> AdvisorAccount:
    """The signed-in advisor; a student gets 403 (it takes `store` for the reason `provide_scope` does)."""
    principal = principal_of(request)
    if principal.role != "advisor":
        raise problem(
            HTTP_403_FORBIDDEN,
            "advisors-only",
            "Only advisors have this",
            "This route is for advisor accounts (POST /api/v1/auth/advisor-sign-up).",
        )
    return AdvisorAccount(advisor_id=principal.account_id)


def provide_store(request: Request[Any, Any, Any]) -> EventStore:
    store: EventStore = request.app.state.store
    return store


DEPENDENCIES = {
    "student": Provide(provide_scope, sync_to_thread=False),
    "store": Provide(provide_store, sync_to_thread=False),
    "advisor": Provide(provide_advisor, sync_to_thread=False),
}


def etag(version: int) -> str:
    return f'"{version}"'


_VERSION_TAG = re.compile(r'(?:W/)?"?([0-9]{1,18})"?')
"""An ETag this API gave: a version in ASCII digits (`str.isdigit()` also takes "²", which `int()` refuses,
and other scripts' digits, which it reads as a number), short enough for PostgreSQL's bigint."""


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match names (None: no precondition, or `*`); anything else is a 400."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = _VERSION_TAG.fullmatch(if_match.strip())
    if found is None:
        raise problem(
            HTTP_400_BAD_REQUEST,
            "bad-precondition",
            "If-Match must be an ETag from this API",
            f"Expected something like '\"3\"', got {if_match!r}.",
        )
    return int(found.group(1))


def decode_cursor(cursor: str, kind: type[T]) -> T:
    """The position a cursor names; a cursor that this API did not make is a 400."""
    try:
        return cursors.decode_cursor(cursor, kind)
    except cursors.BadCursorError:
        raise problem(
            HTTP_400_BAD_REQUEST, "bad-cursor", "This cursor is not valid", "Start again from the first page."
        ) from None
