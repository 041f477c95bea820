"""What every resolver shares for one request: who is asking, the store, the request's DataLoaders, what
each student's data may be read at, and what an advisor has read.

Access comes from backend/advisors/access.py, the one check REST uses too. It is looked up once per
request and never kept across requests, so a revoked grant is refused on the very next request.
"""

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Literal, TypeVar
from uuid import UUID

from litestar import Request
from strawberry.dataloader import DataLoader
from strawberry.litestar.controller import BaseContext
from strawberry.types import Info

from backend.accounts.principal import Principal, principal_of
from backend.advisors.access import Access, Read, ReadKind, access_to_many
from backend.errors import NotFoundError
from backend.eventstore import EventStore
from backend.web.graphql.errors import OutOfScopeError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Scope = Literal["owner", "summary", "notes"]


class Context(BaseContext, kw_only=True):
    principal: Principal
    store: EventStore
    loaders: dict[Any, DataLoader[Any, Any]] = {}  # noqa: RUF012 - msgspec copies defaults per instance
    scopes: dict[UUID, Scope | None] = {}  # noqa: RUF012
    reads: set[Read] = set()  # noqa: RUF012
    """What an advisor has read in this request: recorded once, when it ends."""
    keep: bool = True
    """Whether the answer may be kept (backend/web/graphql/kept.py): not one that shows events' personal
    fields, which `rapport forget` can make unreadable without any event to move a tag."""

    def loader(self, batch: "Callable[[Context, list[K]], Awaitable[list[V]]]") -> DataLoader[K, V]:
        """This request's DataLoader for `batch`: keys asked for in one tick are loaded in one call."""
        found = self.loaders.get(batch)
        if found is None:

            async def load(keys: list[K]) -> list[V]:
                return await batch(self, keys)

            found = self.loaders[batch] = DataLoader(load_fn=load)
        return found


async def context_getter(request: Request[Any, Any, Any]) -> Context:
    """Litestar dependency: the authentication middleware has already set the principal (or answered 401)."""
    return Context(principal=principal_of(request), store=request.app.state.store)


def context_of(info: Info[Context, Any]) -> Context:
    return info.context


async def load_access(ctx: Context, keys: list[UUID]) -> list[Access | None]:
    """The principal's access to each student asked about in one tick, in one statement."""
    found = await access_to_many(ctx.store.pool, ctx.principal, keys)
    return [found[key] for key in keys]


async def scope_of(ctx: Context, student_id: UUID) -> Scope | None:
    """How far the principal may read `student_id`'s data (None: not at all). Every `student(id)` of
    a query is checked in the same statement (access_to_many, whose answer for a student is REST's
    check: access.as_owner)."""
    if student_id not in ctx.scopes:
        remember(ctx, await ctx.loader(load_access).load(student_id), student_id)
    return ctx.scopes[student_id]


def remember(ctx: Context, access: Access | None, student_id: UUID) -> None:
    """Keep an access found for this request (`advisees` finds a page of them in one statement)."""
    ctx.scopes[student_id] = access.scope if access is not None else None


def saw(ctx: Context, student_id: UUID, what: ReadKind, contact_id: UUID | None = None) -> None:
    """Note that the asker read `what` of the student's data (of `contact_id`'s, for a history); only
    advisors' reads are recorded."""
    if ctx.principal.role == "advisor":
        ctx.reads.add(Read(student_id, what, contact_id))


async def readable(ctx: Context, student_id: UUID) -> Scope:
    """The scope, or NOT_FOUND: a student one may not read reads exactly like one who does not exist."""
    scope = await scope_of(ctx, student_id)
    if scope is None:
        raise NotFoundError("No such student.")
    return scope


def needs_notes(scope: Scope, field: str) -> None:
    """Names, notes and history: the owner and a `notes` grant only; otherwise a typed error for the field."""
    if scope == "summary":
        raise OutOfScopeError(field)
