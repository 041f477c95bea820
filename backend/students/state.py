"""A student's own state, folded from their stream by `evolve`: pure, no I/O, no clock.

The `students` read model stores it per row (as JSON), beside the time zone and country the agenda
needs, so the projection folds one more event without reading the stream again.
"""

from datetime import datetime
from typing import assert_never
from uuid import UUID

import msgspec
from msgspec.structs import replace

from backend.students.events import (
    AdvisorAccessGranted,
    AdvisorAccessRevoked,
    AdvisorAccessScopeChanged,
    AdvisorScope,
    CareerInterestsSet,
    GoalsSet,
    ProfileUpdated,
    Question,
    QuestionAdded,
    QuestionRemoved,
    StudentEvent,
    StudentRegistered,
)


class Goals(msgspec.Struct, frozen=True, kw_only=True):
    interviews_per_month: int = 2
    requests_per_week: int = 2


class AdvisorGrant(msgspec.Struct, frozen=True, kw_only=True):
    """A live grant: the advisor may see the student's data at `scope`."""

    advisor_id: UUID
    scope: AdvisorScope


class StudentState(msgspec.Struct, frozen=True, kw_only=True):
    exists: bool = False
    student_id: UUID | None = None
    email: str = ""
    display_name: str = ""
    school: str | None = None
    time_zone: str = "UTC"
    country: str = "US"
    interests: tuple[str, ...] = ()
    goals: Goals = msgspec.field(default_factory=Goals)
    questions: tuple[Question, ...] = ()
    registered_at: datetime | None = None
    advisors: tuple[AdvisorGrant, ...] = ()
    """Live grants only: a revoked one is gone (the read model `advisor_grants` keeps the history)."""

    def grant_of(self, advisor_id: UUID) -> AdvisorGrant | None:
        return next((g for g in self.advisors if g.advisor_id == advisor_id), None)


def evolve(state: StudentState, event: StudentEvent) -> StudentState:  # noqa: PLR0911 - one return per event
    """The state after `event`."""
    match event:
        case StudentRegistered():
            return StudentState(
                exists=True,
                student_id=event.student_id,
                email=event.email,
                display_name=event.display_name,
                time_zone=event.time_zone,
                country=event.country,
                registered_at=event.registered_at,
            )
        case ProfileUpdated():
            changes: dict[str, object] = {}
            for field in ("display_name", "school", "time_zone", "country"):
                value = getattr(event, field)
                if value is not None:
                    changes[field] = value or None if field == "school" else value
            return replace(state, **changes)
        case CareerInterestsSet():
            return replace(state, interests=tuple(event.interests))
        case GoalsSet():
            goals = Goals(interviews_per_month=event.interviews_per_month, requests_per_week=event.requests_per_week)
            return replace(state, goals=goals)
        case QuestionAdded():
            kept = tuple(q for q in state.questions if q.question_id != event.question.question_id)
            return replace(state, questions=(*kept, event.question))
        case QuestionRemoved():
            return replace(state, questions=tuple(q for q in state.questions if q.question_id != event.question_id))
        case AdvisorAccessGranted() | AdvisorAccessScopeChanged():
            grant = AdvisorGrant(advisor_id=event.advisor_id, scope=event.scope)
            if state.grant_of(event.advisor_id) is None:
                return replace(state, advisors=(*state.advisors, grant))
            return replace(
                state, advisors=tuple(grant if g.advisor_id == grant.advisor_id else g for g in state.advisors)
            )
        case AdvisorAccessRevoked():
            return replace(state, advisors=tuple(g for g in state.advisors if g.advisor_id != event.advisor_id))
        case _:
            assert_never(event)
