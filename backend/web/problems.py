"""REST's one error vocabulary: every error leaves as RFC 9457 problem details.

Domain and store errors map here, in one place; handlers raise them and never build error bodies.
"""

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from backend.errors import BusyError, DomainError, NotFoundError, ValidationFailedError
from backend.eventstore.errors import (
    CommandReusedError,
    InvalidStreamIdError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)
from backend.web import outage

log = logging.getLogger(__name__)
PROBLEM_BASE = "https://rapport.example/problems/"


def problem(
    status: int, slug: str, title: str, detail: str = "", *, headers: dict[str, str] | None = None, **extra: Any
) -> ProblemDetailsException:
    """Problem details of type `PROBLEM_BASE + slug`; `extra` become members of the body, `headers` headers."""
    return ProblemDetailsException(
        status_code=status,
        type_=PROBLEM_BASE + slug,
        title=title,
        detail=detail,
        headers=headers,
        extra=extra or None,
    )


def database_unavailable() -> ProblemDetailsException:
    """503: PostgreSQL cannot be used right now (backend/web/outage.py says which errors mean that)."""
    return problem(
        HTTP_503_SERVICE_UNAVAILABLE,
        "database-unavailable",
        "The database is unavailable",
        f"Try again in {outage.RETRY_AFTER_SECONDS} seconds. A request sent with an Idempotency-Key is safe to"
        " send again as it is.",
        headers={"Retry-After": str(outage.RETRY_AFTER_SECONDS)},
    )


# error type → (HTTP status, problem type slug, title). The detail is the error's own message.
KNOWN: dict[type[Exception], tuple[int, str, str]] = {
    WrongExpectedVersionError: (HTTP_412_PRECONDITION_FAILED, "stale-version", "The resource changed since read"),
    CommandReusedError: (
        HTTP_422_UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
        "This idempotency key was used with a different request",
    ),
    SubjectForgottenError: (HTTP_409_CONFLICT, "erased", "This person's data has been erased"),
    InvalidStreamIdError: (HTTP_422_UNPROCESSABLE_ENTITY, "invalid-id", "Invalid identifier"),
    # Domain errors carry their own machine-readable code and title; these give the status.
    DomainError: (HTTP_409_CONFLICT, "rule-violated", "This step is not possible now"),
    NotFoundError: (HTTP_404_NOT_FOUND, "not-found", "Not found"),
    ValidationFailedError: (HTTP_422_UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input"),
    # Without If-Match a step is decided again until it lands; only a storm on one stream ends here.
    BusyError: (HTTP_503_SERVICE_UNAVAILABLE, "busy", "Too many changes at once"),
}
BUSY_RETRY_AFTER_SECONDS = 1


def _extra(error: Exception) -> dict[str, Any]:
    if isinstance(error, WrongExpectedVersionError):
        return {"currentVersion": error.current}
    return {}


def to_problem(error: Exception) -> ProblemDetailsException:
    """The problem details for a known error (the most specific registered class wins)."""
    for cls in type(error).__mro__:
        if cls in KNOWN:
            status, slug, title = KNOWN[cls]
            if isinstance(error, DomainError):
                slug, title = error.code, error.title
            headers = {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)} if isinstance(error, BusyError) else None
            return problem(status, slug, title, str(error), headers=headers, **_extra(error))
    raise LookupError(f"no problem mapping for {type(error).__name__}")


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, HTTPException):  # pragma: no cover - HTTP errors have their own handler
        raise error
    why = outage.reason(error)
    if why is not None:
        # Not a fault of ours nor of the request: no traceback, and the client is told when to come back.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, outage.DESCRIPTIONS[why])
        return database_unavailable().to_response(request)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on our side",
        "It has been logged.",
    ).to_response(request)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True, exception_to_problem_detail_map=dict.fromkeys(KNOWN, to_problem)
        )
    )


def _too_deep(request: Request[Any, Any, Any], error: RecursionError) -> Response[Any]:
    # Only reading a body recurses without bound here: JSON nested thousands deep is bad input.
    log.warning("refused a body nested too deeply on %s %s: %s", request.method, request.url.path, error)
    return problem(
        HTTP_400_BAD_REQUEST,
        "too-deep",
        "The request body is nested too deeply",
        "Send JSON nested a few levels deep, as the API's bodies are.",
    ).to_response(request)


UNEXPECTED_HANDLERS: dict[int | type[Exception], Any] = {
    HTTP_500_INTERNAL_SERVER_ERROR: _unexpected,
    RecursionError: _too_deep,
}


class ProblemBody(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details, as every error response carries them (members may be added)."""

    status: int
    title: str
    type: str = "about:blank"
    detail: str | None = None


_WHY = {
    400: "Malformed request: a body that is not UTF-8 or not valid JSON, a field of the wrong type, too long, or"
    " missing; a malformed header (If-Match that is not an ETag of this API, bytes outside visible ASCII) or URL"
    " (a bad percent-escape, not UTF-8, NUL)",
    401: "Not signed in, or the credentials are not valid",
    403: "Missing CSRF token (cookie sessions), or not allowed for this kind of account",
    404: "No such resource, or it is not yours (the two are indistinguishable)",
    409: "The rules refuse this step now (the problem type says which rule); or `request-in-progress`: the"
    " first request with this Idempotency-Key is still running, so try again after `Retry-After` seconds and"
    " get its answer",
    412: "If-Match names an old version; `currentVersion` is the one to read",
    413: "The request body is too large",
    415: "The body must be JSON (`Content-Type: application/json`)",
    422: "Well-formed but impossible input, or an idempotency key reused for a different request",
    429: "Too many failed sign-ins, or sign-ups from one address: wait for `Retry-After` seconds",
    503: "The database is unavailable for now (`database-unavailable`), or too many changes to one thing came at"
    " once (`busy`): try again after `Retry-After` seconds",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for these error statuses, all described as problem details."""
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description=_WHY[status],
            media_type="application/problem+json",
            generate_examples=False,
        )
        for status in statuses
    }


READ_PROBLEMS = problem_responses(400, 401, 403, 404, 503)
"""A read of one resource (or a list filtered by query parameters)."""
COMMAND_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 503)
"""A step that appends events."""
ACCOUNT_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
"""Signing up and in, sessions and access tokens."""
