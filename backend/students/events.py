"""Events on a student's own stream (`student-<id>`): frozen, past tense, tagged."""

from datetime import datetime
from typing import Annotated, Literal, cast
from uuid import UUID

import msgspec

from backend.eventstore.events import Event, Personal

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
AdvisorScope = Literal["summary", "notes"]
"""What a student lets an advisor see: `summary` (counts, stages, dates) or `notes` (also names, notes, history)."""
GrantedVia = Literal["email", "invite_code"]


class Question(msgspec.Struct, frozen=True, kw_only=True):
    question_id: UUID
    topic: str
    text: str


class StudentRegistered(Event, frozen=True, kw_only=True):
    student_id: UUID
    email: Personal[str]
    display_name: Personal[str]
    time_zone: str
    country: str
    registered_at: AwareDatetime


class ProfileUpdated(Event, frozen=True, kw_only=True):
    """The changed fields only; a field left out (None) did not change."""

    display_name: Personal[str | None] = None
    school: Personal[str | None] = None
    time_zone: str | None = None
    country: str | None = None


class CareerInterestsSet(Event, frozen=True, kw_only=True):
    interests: list[str]


class GoalsSet(Event, frozen=True, kw_only=True):
    interviews_per_month: int
    requests_per_week: int


class QuestionAdded(Event, frozen=True, kw_only=True):
    question: Question


class QuestionRemoved(Event, frozen=True, kw_only=True):
    question_id: UUID


class AdvisorAccessGranted(Event, frozen=True, kw_only=True):
    """The student let an advisor (found by email or by one of the advisor's invite codes) see their data."""

    advisor_id: UUID
    scope: AdvisorScope
    via: GrantedVia
    granted_at: AwareDatetime


class AdvisorAccessScopeChanged(Event, frozen=True, kw_only=True):
    advisor_id: UUID
    scope: AdvisorScope
    changed_at: AwareDatetime


class AdvisorAccessRevoked(Event, frozen=True, kw_only=True):
    advisor_id: UUID
    revoked_at: AwareDatetime


CONSENT_EVENTS: tuple[type[Event], ...] = (AdvisorAccessGranted, AdvisorAccessScopeChanged, AdvisorAccessRevoked)
"""Consent: who may see the student's data. Not steps of their practice, so not counted as activity."""

STUDENT_EVENTS: tuple[type[Event], ...] = (
    StudentRegistered,
    ProfileUpdated,
    CareerInterestsSet,
    GoalsSet,
    QuestionAdded,
    QuestionRemoved,
    *CONSENT_EVENTS,
)


StudentEvent = (
    StudentRegistered
    | ProfileUpdated
    | CareerInterestsSet
    | GoalsSet
    | QuestionAdded
    | QuestionRemoved
    | AdvisorAccessGranted
    | AdvisorAccessScopeChanged
    | AdvisorAccessRevoked
)
ConsentEvent = AdvisorAccessGranted | AdvisorAccessScopeChanged | AdvisorAccessRevoked


def student_event(event: Event) -> StudentEvent:
    """`event`, known to be one of a student's stream (folds over StudentEvent are exhaustive)."""
    if not isinstance(event, STUDENT_EVENTS):
        raise TypeError(f"{type(event).__name__} is not an event of a student's stream")
    return cast(StudentEvent, event)


def consent_event(event: Event) -> ConsentEvent:
    """`event`, known to be a consent event."""
    if not isinstance(event, CONSENT_EVENTS):
        raise TypeError(f"{type(event).__name__} is not a consent event")
    return cast(ConsentEvent, event)


def student_stream(student_id: UUID) -> str:
    return f"student-{student_id.hex}"
