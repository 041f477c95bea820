"""REST's one error vocabulary: every error leaves as RFC 9457 problem details.

Domain and store errors map here, in one place; handlers raise them and never build error bodies.
"""

import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.status_codes import (
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from backend.eventstore.errors import (
    CommandReusedError,
    InvalidStreamIdError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)

log = logging.getLogger(__name__)
PROBLEM_BASE = "https://rapport.example/problems/"


def problem(status: int, slug: str, title: str, detail: str = "", **extra: Any) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=status,
        type_=PROBLEM_BASE + slug,
        title=title,
        detail=detail,
        extra=extra or None,
    )


def _wrong_version(error: WrongExpectedVersionError) -> ProblemDetailsException:
    return problem(
        HTTP_412_PRECONDITION_FAILED,
        "stale-version",
        "The resource changed since you read it",
        str(error),
        currentVersion=error.current,
    )


def _command_reused(error: CommandReusedError) -> ProblemDetailsException:
    return problem(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
        "This idempotency key was used with a different request",
        str(error),
    )


def _subject_forgotten(error: SubjectForgottenError) -> ProblemDetailsException:
    return problem(HTTP_409_CONFLICT, "erased", "This person's data has been erased", str(error))


def _invalid_stream(error: InvalidStreamIdError) -> ProblemDetailsException:
    return problem(HTTP_422_UNPROCESSABLE_ENTITY, "invalid-id", "Invalid identifier", str(error))


MAPPING: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    WrongExpectedVersionError: _wrong_version,
    CommandReusedError: _command_reused,
    SubjectForgottenError: _subject_forgotten,
    InvalidStreamIdError: _invalid_stream,
}


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, HTTPException):  # pragma: no cover - HTTP errors have their own handler
        raise error
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on our side",
        "It has been logged.",
    ).to_response(request)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(enable_for_all_http_exceptions=True, exception_to_problem_detail_map=MAPPING)
    )


UNEXPECTED_HANDLERS = {HTTP_500_INTERNAL_SERVER_ERROR: _unexpected}
