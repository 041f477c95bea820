"""Who is asking: set on `request.user` by the authentication middleware, read by everything else."""

from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar.connection import ASGIConnection
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.status_codes import HTTP_401_UNAUTHORIZED

from backend.web.problems import problem

Role = Literal["student", "advisor"]
Via = Literal["session", "token"]


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in account. A student's account id is also their student id (one namespace)."""

    account_id: UUID
    role: Role
    via: Via
    csrf_token: str | None = None
    """The session's CSRF token (cookie sessions only): unsafe requests must echo it."""

    @property
    def actor_id(self) -> str:
        """What each event's metadata records as the actor."""
        return f"{self.role}:{self.account_id}"


def unauthenticated(
    detail: str, *, slug: str = "unauthenticated", title: str = "Not signed in"
) -> ProblemDetailsException:
    """401, with the challenge RFC 9110 requires (Bearer: the scheme scripts use; browsers use the cookie)."""
    error = problem(HTTP_401_UNAUTHORIZED, slug, title, detail)
    error.headers = {"WWW-Authenticate": "Bearer"}
    return error


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The signed-in account of a request. A route that opted out of authentication has none: 401."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise unauthenticated("Sign in, or send a personal access token as a Bearer token.")
    return user
