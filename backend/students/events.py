"""Events on a student's own stream (`student-<id>`): frozen, past tense, tagged."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from backend.eventstore.events import Event, Personal

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


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


STUDENT_EVENTS: tuple[type[Event], ...] = (
    StudentRegistered,
    ProfileUpdated,
    CareerInterestsSet,
    GoalsSet,
    QuestionAdded,
    QuestionRemoved,
)


def student_stream(student_id: UUID) -> str:
    return f"student-{student_id.hex}"
