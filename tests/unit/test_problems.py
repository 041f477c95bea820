"""Store errors become RFC 9457 problem details, in one place; and which errors mean the database is down."""

import uuid
from typing import get_args

import asyncpg
import pytest

from backend.eventstore import (
    CommandReusedError,
    InvalidStreamIdError,
    SubjectForgottenError,
    WrongExpectedVersionError,
)
from backend.eventstore.types import NO_STREAM
from backend.web import health, outage
from backend.web.problems import PROBLEM_BASE, database_unavailable, problem, to_problem

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


def test_a_problem_carries_headers_as_headers_not_as_members() -> None:
    refused = problem(409, "request-in-progress", "Still running", headers={"Retry-After": "1"})
    assert refused.headers == {"Retry-After": "1"}
    assert refused.extra is None


def test_an_unavailable_database_is_a_503_that_says_when_to_come_back() -> None:
    unavailable = database_unavailable()
    assert (unavailable.status_code, unavailable.type_) == (503, PROBLEM_BASE + "database-unavailable")
    assert unavailable.headers == {"Retry-After": str(outage.RETRY_AFTER_SECONDS)}


def _raised(error: BaseException) -> BaseException:
    """`error` as caught: with the traceback of this module, not asyncpg's."""
    with pytest.raises(type(error)) as caught:
        raise error
    return caught.value


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (asyncpg.AdminShutdownError("terminating connection due to administrator command"), "lost"),
        (asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"), "lost"),
        (asyncpg.CannotConnectNowError("the database system is shutting down"), "not-accepting"),
        (asyncpg.TooManyConnectionsError("sorry, too many clients already"), "not-accepting"),
        (asyncpg.InterfaceError("cannot call Transaction.__aexit__(): the underlying connection is closed"), "lost"),
        # Outside asyncpg, an OSError is a file or a socket of ours: a fault, not an outage.
        (ConnectionRefusedError(111, "Connection refused"), None),
        (FileNotFoundError(2, "No such file or directory"), None),
        (TimeoutError(), None),
        # A statement's error is a fault whatever its SQLSTATE class.
        (asyncpg.ObjectNotInPrerequisiteStateError("not currently accepting connections"), None),
        (asyncpg.UniqueViolationError("duplicate key"), None),
        (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), None),
        (ValueError("boom"), None),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(error: BaseException, reason: str | None) -> None:
    assert outage.reason(_raised(error)) == reason


def _record_step(lost: BaseException) -> None:
    try:
        raise lost
    except asyncpg.PostgresError as error:
        raise RuntimeError("could not record the step") from error


def test_an_outage_is_found_behind_the_error_that_reports_it() -> None:
    lost = asyncpg.AdminShutdownError("terminating connection due to administrator command")
    with pytest.raises(RuntimeError) as wrapped:
        _record_step(lost)
    assert outage.reason(wrapped.value) == "lost"
    assert outage.reason(ExceptionGroup("dependencies", [ValueError("x"), lost])) == "lost"


def test_health_names_every_reason_the_database_can_be_unavailable() -> None:
    assert set(get_args(health.Reason)) == {*get_args(outage.Reason), "schema-not-at-head"}
