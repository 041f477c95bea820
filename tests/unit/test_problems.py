"""Store errors become RFC 9457 problem details, in one place."""

import uuid

import pytest

from backend.eventstore import (
    CommandReusedError,
    InvalidStreamIdError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)
from backend.eventstore.types import NO_STREAM
from backend.problems import PROBLEM_BASE, to_problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (WrongExpectedVersionError("contact-1", NO_STREAM, 3), 412, "stale-version"),
        (CommandReusedError(uuid.uuid4()), 422, "idempotency-key-reused"),
        (SubjectForgottenError(frozenset({"contact-1"})), 409, "erased"),
        (InvalidStreamIdError("x"), 422, "invalid-id"),
    ],
)
def test_each_store_error_has_a_status_and_a_problem_type(error: Exception, status: int, slug: str) -> None:
    problem = to_problem(error)
    assert problem.status_code == status
    assert problem.type_ == PROBLEM_BASE + slug
    assert problem.detail == str(error)


def test_a_stale_version_tells_the_client_the_current_one() -> None:
    assert to_problem(WrongExpectedVersionError("contact-1", 1, 4)).extra == {"currentVersion": 4}


def test_unmapped_errors_are_not_guessed() -> None:
    with pytest.raises(LookupError):
        to_problem(RuntimeError("boom"))
