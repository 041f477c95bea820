"""Asking for an interview, following up on the request, and recording the answer."""

from datetime import datetime
from typing import Any

from backend.errors import DomainError
from backend.eventstore.events import Event
from backend.fields import Body, LongText, Minutes, Timestamp
from backend.relationships.commands.rules import Decider, must_be_active, not_before, not_in_future, text
from backend.relationships.events import (
    Answer,
    Channel,
    InterviewRequested,
    MeetingFormat,
    RequestAnswered,
    RequestFollowedUp,
)
from backend.relationships.state import ContactState


class RequestInterview(Body, frozen=True, kw_only=True):
    """A short request: who you are, how you heard of them, not a job, the format and 15-30 minutes."""

    channel: Channel
    format: MeetingFormat
    minutes: Minutes = 20
    message: LongText | None = None
    sent_at: Timestamp | None = None


class FollowUpRequest(Body, frozen=True, kw_only=True):
    """A polite nudge after no reply."""

    channel: Channel
    sent_at: Timestamp | None = None


class RecordAnswer(Body, frozen=True, kw_only=True):
    answer: Answer
    note: LongText | None = None
    answered_at: Timestamp | None = None


def request_interview(cmd: RequestInterview, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if state.upcoming:
        raise DomainError("An interview with this contact is already scheduled.", code="already-scheduled")
    if state.awaiting_answer:
        raise DomainError(
            "A request to this contact is still waiting for an answer; follow up instead.", code="request-pending"
        )
    sent_at = cmd.sent_at or now
    not_in_future(sent_at, now, "A request's sending time")
    # No check against when the contact was added: students often log a request they sent earlier.
    return [
        InterviewRequested(
            channel=cmd.channel, format=cmd.format, minutes=cmd.minutes, message=text(cmd.message), sent_at=sent_at
        )
    ]


def follow_up(cmd: FollowUpRequest, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if state.requested_at is None:
        raise DomainError("There is no request to follow up on; send a request first.", code="no-request")
    if not state.awaiting_answer:
        raise DomainError("This request has already been answered.", code="request-answered")
    sent_at = cmd.sent_at or now
    not_in_future(sent_at, now, "A follow-up's sending time")
    not_before(sent_at, state.requested_at, "A follow-up", "the request")
    return [RequestFollowedUp(channel=cmd.channel, sent_at=sent_at)]


def record_answer(cmd: RecordAnswer, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if state.requested_at is None:
        raise DomainError("An answer needs a request that was sent; record the request first.", code="no-request")
    if not state.awaiting_answer:
        raise DomainError("This request has already been answered.", code="request-answered")
    answered_at = cmd.answered_at or now
    not_in_future(answered_at, now, "An answer's time")
    not_before(answered_at, state.requested_at, "An answer", "the request")
    return [RequestAnswered(answer=cmd.answer, note=text(cmd.note), answered_at=answered_at)]


DECIDERS: dict[type[Any], Decider] = {
    RequestInterview: request_interview,
    FollowUpRequest: follow_up,
    RecordAnswer: record_answer,
}
