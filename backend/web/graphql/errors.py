"""GraphQL's one error vocabulary, as backend/web/problems.py is REST's: every error carries `extensions.code`.

Resolvers raise domain errors (or the few below); `to_graphql` maps them here, in one place. Anything
unexpected is logged and masked as INTERNAL, so no stack detail or SQL reaches a client. Errors of
the query itself (syntax, validation, limits) keep graphql-core's message and get a code too.
"""

import logging
from typing import Any

from graphql import GraphQLError

from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.eventstore.errors import InvalidStreamIdError, SubjectForgottenError
from backend.web import outage

log = logging.getLogger(__name__)

FORBIDDEN = "FORBIDDEN"
FORBIDDEN_SCOPE = "FORBIDDEN_SCOPE"
NOT_FOUND = "NOT_FOUND"
BAD_INPUT = "BAD_INPUT"
RULE_VIOLATED = "RULE_VIOLATED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INVALID_QUERY = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL"
UNAVAILABLE = "DATABASE_UNAVAILABLE"


class ResolverError(Exception):
    """An error a resolver raises on purpose: its message and code reach the client as they are."""

    code = BAD_INPUT

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.extra = extra

    @property
    def extensions(self) -> dict[str, Any]:
        # graphql-core copies an original error's `extensions` into the error it reports.
        return {"code": self.code, **self.extra}


class ForbiddenError(ResolverError):
    """A principal who may never ask this (a student asking for a cohort)."""

    code = FORBIDDEN


class OutOfScopeError(ResolverError):
    """A field beyond the scope the student granted: the field is null, and this says why."""

    code = FORBIDDEN_SCOPE

    def __init__(self, field: str, *, needs: str = "notes") -> None:
        super().__init__(f"`{field}` needs a `{needs}` grant from the student.", needs=needs)


# domain error → code, the most specific class first (as problems.KNOWN does for REST).
KNOWN: dict[type[Exception], str] = {
    NotFoundError: NOT_FOUND,
    ValidationFailedError: BAD_INPUT,
    InvalidStreamIdError: BAD_INPUT,
    SubjectForgottenError: NOT_FOUND,
    DomainError: RULE_VIOLATED,
}


# strawberry's depth, alias and token limits report plain errors; these words in them say which.
LIMIT_MESSAGES = ("exceeds maximum operation depth", "aliases found. Allowed", "Document contains more than")


def code_of(error: GraphQLError) -> str:
    """The code an error leaves with; unknown originals are INTERNAL, errors without one are the query's."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        if any(words in error.message for words in LIMIT_MESSAGES):
            return QUERY_TOO_COMPLEX
        return str((error.extensions or {}).get("code") or INVALID_QUERY)
    if isinstance(original, ResolverError):
        return original.code
    for cls in type(original).__mro__:
        if cls in KNOWN:
            return KNOWN[cls]
    if outage.reason(original) is not None:
        return UNAVAILABLE
    return INTERNAL


MASKED = {
    INTERNAL: "Something went wrong on our side. It has been logged.",
    UNAVAILABLE: "The database is unavailable. Try again in a few seconds.",
}
"""Messages that replace the original's, which may name tables, hosts or SQL."""


def to_graphql(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: a known message and a code; unexpected ones masked and logged."""
    code = code_of(error)
    message = MASKED.get(code, error.message)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), "code": code},
    )


def database_unavailable(errors: list[GraphQLError]) -> bool:
    """Whether any of these errors says the database cannot be used now (backend/web/outage.py)."""
    return any(code_of(error) == UNAVAILABLE for error in errors)


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log what will be masked as INTERNAL (the errors the client is told about are not ours to log)."""
    for error in errors:
        code = code_of(error)
        if code == INTERNAL:
            log.error("unhandled error in GraphQL at %s", error.path, exc_info=error.original_error)
        elif code == UNAVAILABLE:
            log.warning("database unavailable in GraphQL at %s: %s", error.path, error.original_error)
