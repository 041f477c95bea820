"""Scheduling, rescheduling, cancelling and holding an interview."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from backend.errors import DomainError
from backend.eventstore.events import Event
from backend.fields import Body, FitSignal, LongText, Minutes, ShortList, ShortText, Timestamp
from backend.relationships.commands.rules import Decider, interview_of, must_be_active, not_in_future, text
from backend.relationships.events import (
    InterviewCancelled,
    InterviewHeld,
    InterviewRescheduled,
    InterviewScheduled,
    MeetingFormat,
    Party,
)
from backend.relationships.state import ContactState


class ScheduleInterview(Body, frozen=True, kw_only=True):
    starts_at: Timestamp
    minutes: Minutes = 30
    format: MeetingFormat
    place: ShortText | None = None
    interview_id: UUID | None = None


class RescheduleInterview(Body, frozen=True, kw_only=True):
    interview_id: UUID
    starts_at: Timestamp
    minutes: Minutes | None = None
    by: Party = "contact"


class CancelInterview(Body, frozen=True, kw_only=True):
    interview_id: UUID
    reason: ShortText | None = None
    by: Party = "contact"


class RecordInterviewHeld(Body, frozen=True, kw_only=True):
    """Right after the conversation: notes, what you asked, what you took away, how it fits you."""

    interview_id: UUID
    held_at: Timestamp | None = None
    minutes: Minutes | None = None
    notes: LongText | None = None
    questions_asked: ShortList = msgspec.field(default_factory=list)
    key_takeaways: LongText | None = None
    advice: LongText | None = None
    resources: ShortList = msgspec.field(default_factory=list)
    fit_signal: FitSignal = 0


def schedule(cmd: ScheduleInterview, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if cmd.interview_id is None:
        raise ValueError("the handler assigns the interview id")
    if state.upcoming:
        raise DomainError(
            "An interview with this contact is already scheduled; reschedule it.", code="already-scheduled"
        )
    if state.answer == "declined":
        raise DomainError("This contact declined; send a new request first.", code="declined")
    if state.interview(cmd.interview_id) is not None:
        raise DomainError("This interview id is already used.", code="interview-exists")
    return [
        InterviewScheduled(
            interview_id=cmd.interview_id,
            starts_at=cmd.starts_at,
            minutes=cmd.minutes,
            format=cmd.format,
            place=text(cmd.place),
        )
    ]


def reschedule(cmd: RescheduleInterview, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    interview = interview_of(state, cmd.interview_id)
    if interview.status != "scheduled":
        raise DomainError(f"This interview is {interview.status}; it cannot be rescheduled.", code="not-scheduled")
    return [
        InterviewRescheduled(
            interview_id=cmd.interview_id,
            starts_at=cmd.starts_at,
            minutes=cmd.minutes or interview.minutes,
            by=cmd.by,
        )
    ]


def cancel(cmd: CancelInterview, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    interview = interview_of(state, cmd.interview_id)
    if interview.status != "scheduled":
        raise DomainError(f"This interview is {interview.status}; it cannot be cancelled.", code="not-scheduled")
    return [InterviewCancelled(interview_id=cmd.interview_id, reason=text(cmd.reason), by=cmd.by)]


def held(cmd: RecordInterviewHeld, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    interview = interview_of(state, cmd.interview_id)
    if interview.status != "scheduled":
        raise DomainError(f"This interview is {interview.status}; it cannot be held.", code="not-scheduled")
    held_at = cmd.held_at or now
    not_in_future(held_at, now, "An interview's time")
    return [
        InterviewHeld(
            interview_id=cmd.interview_id,
            held_at=held_at,
            minutes=cmd.minutes or interview.minutes,
            notes=text(cmd.notes),
            questions_asked=[q.strip() for q in cmd.questions_asked if q.strip()],
            key_takeaways=text(cmd.key_takeaways),
            advice=text(cmd.advice),
            resources=[r.strip() for r in cmd.resources if r.strip()],
            fit_signal=cmd.fit_signal,
        )
    ]


DECIDERS: dict[type[Any], Decider] = {
    ScheduleInterview: schedule,
    RescheduleInterview: reschedule,
    CancelInterview: cancel,
    RecordInterviewHeld: held,
}
