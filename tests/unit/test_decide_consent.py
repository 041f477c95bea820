"""Given/when/then for a student's consent: granting an advisor access, changing its scope, revoking it."""

from datetime import UTC, datetime
from functools import reduce
from uuid import UUID

import pytest

from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.students.commands import (
    AlreadyGrantedError,
    ChangeAdvisorScope,
    GrantAdvisorAccess,
    NoSuchAdvisorError,
    NotGrantedError,
    RevokeAdvisorAccess,
    decide,
)
from backend.students.events import (
    AdvisorAccessGranted,
    AdvisorAccessRevoked,
    AdvisorAccessScopeChanged,
    StudentEvent,
    StudentRegistered,
)
from backend.students.state import AdvisorGrant, StudentState, evolve

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
EARLIER = datetime(2026, 11, 1, 9, tzinfo=UTC)
STUDENT = UUID(int=1)
ADVISOR = UUID(int=2)
OTHER_ADVISOR = UUID(int=3)
REGISTERED = StudentRegistered(
    student_id=STUDENT,
    email="sam@example.edu",
    display_name="Sam",
    time_zone="UTC",
    country="US",
    registered_at=EARLIER,
)
GRANTED = AdvisorAccessGranted(advisor_id=ADVISOR, scope="summary", via="email", granted_at=EARLIER)
REVOKED = AdvisorAccessRevoked(advisor_id=ADVISOR, revoked_at=EARLIER)


def given(*events: StudentEvent) -> StudentState:
    return reduce(evolve, events, StudentState())


def refused(command: object, state: StudentState, kind: type[DomainError], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        decide(command, state, NOW)
    assert type(caught.value) is kind
    assert caught.value.code == code


def test_grant_by_email_or_invite_code() -> None:
    state = given(REGISTERED)
    for via in ("email", "invite_code"):
        assert decide(GrantAdvisorAccess(advisor_id=ADVISOR, scope="notes", via=via), state, NOW) == [
            AdvisorAccessGranted(advisor_id=ADVISOR, scope="notes", via=via, granted_at=NOW)
        ]


def test_a_grant_is_live_in_the_state_until_revoked() -> None:
    assert given(REGISTERED, GRANTED).advisors == (AdvisorGrant(advisor_id=ADVISOR, scope="summary"),)
    changed = AdvisorAccessScopeChanged(advisor_id=ADVISOR, scope="notes", changed_at=NOW)
    other = AdvisorAccessGranted(advisor_id=OTHER_ADVISOR, scope="notes", via="invite_code", granted_at=NOW)
    assert given(REGISTERED, GRANTED, other, changed).advisors == (
        AdvisorGrant(advisor_id=ADVISOR, scope="notes"),
        AdvisorGrant(advisor_id=OTHER_ADVISOR, scope="notes"),
    )
    assert given(REGISTERED, GRANTED, other, REVOKED).advisors == (
        AdvisorGrant(advisor_id=OTHER_ADVISOR, scope="notes"),
    )


def test_granting_twice_is_refused() -> None:
    refused(
        GrantAdvisorAccess(advisor_id=ADVISOR, scope="notes", via="email"),
        given(REGISTERED, GRANTED),
        AlreadyGrantedError,
        "advisor-already-granted",
    )


def test_granting_again_after_revoking_is_a_new_grant() -> None:
    command = GrantAdvisorAccess(advisor_id=ADVISOR, scope="notes", via="invite_code")
    assert decide(command, given(REGISTERED, GRANTED, REVOKED), NOW) == [
        AdvisorAccessGranted(advisor_id=ADVISOR, scope="notes", via="invite_code", granted_at=NOW)
    ]


def test_a_student_cannot_be_their_own_advisor() -> None:
    command = GrantAdvisorAccess(advisor_id=STUDENT, scope="notes", via="email")
    refused(command, given(REGISTERED), NoSuchAdvisorError, "no-such-advisor")
    assert issubclass(NoSuchAdvisorError, ValidationFailedError)


def test_change_scope() -> None:
    assert decide(ChangeAdvisorScope(advisor_id=ADVISOR, scope="notes"), given(REGISTERED, GRANTED), NOW) == [
        AdvisorAccessScopeChanged(advisor_id=ADVISOR, scope="notes", changed_at=NOW)
    ]


def test_changing_to_the_same_scope_records_nothing() -> None:
    assert decide(ChangeAdvisorScope(advisor_id=ADVISOR, scope="summary"), given(REGISTERED, GRANTED), NOW) == []


def test_revoke() -> None:
    assert decide(RevokeAdvisorAccess(advisor_id=ADVISOR), given(REGISTERED, GRANTED), NOW) == [
        AdvisorAccessRevoked(advisor_id=ADVISOR, revoked_at=NOW)
    ]


@pytest.mark.parametrize(
    "command",
    [ChangeAdvisorScope(advisor_id=ADVISOR, scope="notes"), RevokeAdvisorAccess(advisor_id=ADVISOR)],
)
@pytest.mark.parametrize("history", [(REGISTERED,), (REGISTERED, GRANTED, REVOKED)])
def test_changing_or_revoking_what_was_not_granted_is_refused(
    command: object, history: tuple[StudentEvent, ...]
) -> None:
    refused(command, given(*history), NotGrantedError, "advisor-not-granted")
    assert issubclass(NotGrantedError, NotFoundError)


def test_nothing_is_decided_for_a_student_who_does_not_exist() -> None:
    refused(RevokeAdvisorAccess(advisor_id=ADVISOR), StudentState(), NotFoundError, "not-found")
