"""Commands on a student's own stream, each decided by a pure function of (command, state, now)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from backend.calendar import is_country, is_time_zone
from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.eventstore.events import Event
from backend.fields import NON_BLANK, Body, Name, ShortText
from backend.students.events import (
    AdvisorAccessGranted,
    AdvisorAccessRevoked,
    AdvisorAccessScopeChanged,
    AdvisorScope,
    CareerInterestsSet,
    GoalsSet,
    GrantedVia,
    ProfileUpdated,
    Question,
    QuestionAdded,
    QuestionRemoved,
)
from backend.students.state import StudentState

Interest = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NON_BLANK)]
TopicName = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
MAX_QUESTIONS = 100


class UpdateProfile(Body, frozen=True, kw_only=True):
    """Change some of your profile; omitted fields stay. `school: ""` clears it."""

    display_name: Name | None = None
    school: ShortText | None = None
    time_zone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    country: Annotated[str, msgspec.Meta(min_length=2, max_length=2)] | None = None


class SetCareerInterests(Body, frozen=True, kw_only=True):
    """The job types you are exploring (replaces the list)."""

    interests: Annotated[list[Interest], msgspec.Meta(max_length=20)]


class SetGoals(Body, frozen=True, kw_only=True):
    interviews_per_month: Annotated[int, msgspec.Meta(ge=0, le=60)]
    requests_per_week: Annotated[int, msgspec.Meta(ge=0, le=50)]


class AddQuestion(Body, frozen=True, kw_only=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=NON_BLANK)]
    topic: TopicName = "other"
    question_id: UUID | None = None


class RemoveQuestion(Body, frozen=True, kw_only=True):
    question_id: UUID


class GrantAdvisorAccess(msgspec.Struct, frozen=True, kw_only=True):
    """Let an advisor see your data at `scope`. The handler finds the advisor (by email or invite code)."""

    advisor_id: UUID
    scope: AdvisorScope
    via: GrantedVia


class ChangeAdvisorScope(msgspec.Struct, frozen=True, kw_only=True):
    advisor_id: UUID
    scope: AdvisorScope


class RevokeAdvisorAccess(msgspec.Struct, frozen=True, kw_only=True):
    advisor_id: UUID


class NoSuchAdvisorError(ValidationFailedError):
    """No advisor has this email or invite code."""

    code = "no-such-advisor"
    title = "No such advisor"


class AlreadyGrantedError(DomainError):
    code = "advisor-already-granted"
    title = "This advisor already has access"


class NotGrantedError(NotFoundError):
    """The advisor has no live grant from this student (never had, or it was revoked)."""

    code = "advisor-not-granted"
    title = "This advisor has no access"


def _exists(state: StudentState) -> None:
    if not state.exists:
        raise NotFoundError("No such student.")


def update_profile(cmd: UpdateProfile, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    if cmd.time_zone is not None and not is_time_zone(cmd.time_zone):
        raise ValidationFailedError(f"{cmd.time_zone!r} is not an IANA time zone such as 'America/New_York'.")
    country = cmd.country.upper() if cmd.country is not None else None
    if country is not None and not is_country(country):
        raise ValidationFailedError(f"{cmd.country!r} is not a country code with a holiday calendar, such as 'US'.")
    changes = {
        "display_name": cmd.display_name.strip() if cmd.display_name is not None else None,
        "school": cmd.school.strip() if cmd.school is not None else None,
        "time_zone": cmd.time_zone,
        "country": country,
    }
    current = {
        "display_name": state.display_name,
        "school": state.school or "",
        "time_zone": state.time_zone,
        "country": state.country,
    }
    changed = {k: v for k, v in changes.items() if v is not None and v != current[k]}
    return [ProfileUpdated(**changed)] if changed else []


def set_interests(cmd: SetCareerInterests, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    interests = list(dict.fromkeys(i.strip() for i in cmd.interests if i.strip()))
    return [] if tuple(interests) == state.interests else [CareerInterestsSet(interests=interests)]


def set_goals(cmd: SetGoals, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    if (cmd.interviews_per_month, cmd.requests_per_week) == (
        state.goals.interviews_per_month,
        state.goals.requests_per_week,
    ):
        return []
    return [GoalsSet(interviews_per_month=cmd.interviews_per_month, requests_per_week=cmd.requests_per_week)]


def add_question(cmd: AddQuestion, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    if cmd.question_id is None:
        raise ValueError("the handler assigns the question id")
    if any(q.question_id == cmd.question_id for q in state.questions):
        raise DomainError("This question is already in your bank.", code="question-exists")
    if len(state.questions) >= MAX_QUESTIONS:
        raise DomainError(f"A question bank holds at most {MAX_QUESTIONS} questions.", code="too-many-questions")
    question = Question(question_id=cmd.question_id, topic=cmd.topic, text=cmd.text.strip())
    return [QuestionAdded(question=question)]


def remove_question(cmd: RemoveQuestion, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    if not any(q.question_id == cmd.question_id for q in state.questions):
        raise NotFoundError("No such question in your bank.")
    return [QuestionRemoved(question_id=cmd.question_id)]


def grant_advisor_access(cmd: GrantAdvisorAccess, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    if cmd.advisor_id == state.student_id:
        raise NoSuchAdvisorError("You cannot grant yourself access.")
    if state.grant_of(cmd.advisor_id) is not None:
        raise AlreadyGrantedError("Change its scope (PATCH) or revoke it (DELETE) instead.")
    return [AdvisorAccessGranted(advisor_id=cmd.advisor_id, scope=cmd.scope, via=cmd.via, granted_at=now)]


def change_advisor_scope(cmd: ChangeAdvisorScope, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    grant = state.grant_of(cmd.advisor_id)
    if grant is None:
        raise NotGrantedError("You have not granted this advisor access.")
    if grant.scope == cmd.scope:
        return []
    return [AdvisorAccessScopeChanged(advisor_id=cmd.advisor_id, scope=cmd.scope, changed_at=now)]


def revoke_advisor_access(cmd: RevokeAdvisorAccess, state: StudentState, now: datetime) -> list[Event]:
    _exists(state)
    if state.grant_of(cmd.advisor_id) is None:
        raise NotGrantedError("You have not granted this advisor access.")
    return [AdvisorAccessRevoked(advisor_id=cmd.advisor_id, revoked_at=now)]


DECIDERS: dict[type[Any], Any] = {
    UpdateProfile: update_profile,
    SetCareerInterests: set_interests,
    SetGoals: set_goals,
    AddQuestion: add_question,
    RemoveQuestion: remove_question,
    GrantAdvisorAccess: grant_advisor_access,
    ChangeAdvisorScope: change_advisor_scope,
    RevokeAdvisorAccess: revoke_advisor_access,
}


def decide(command: object, state: StudentState, now: datetime) -> list[Event]:
    """The events `command` produces on the student's own stream (none when nothing changes)."""
    decider = DECIDERS.get(type(command))
    if decider is None:
        raise TypeError(f"no decider for {type(command).__name__}")
    events: list[Event] = decider(command, state, now)
    return events
