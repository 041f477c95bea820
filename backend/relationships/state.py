"""A contact's state, folded from its events by `evolve`: pure, no I/O, no clock.

The state is also what the contacts read model stores per row (as JSON), so the projection can fold
one more event without reading the stream again.
"""

from datetime import date, datetime
from typing import Literal, assert_never
from uuid import UUID

import msgspec
from msgspec.structs import replace

from backend.eventstore.events import REDACTED, Event
from backend.relationships.events import (
    ActionItemAdded,
    ActionItemCompleted,
    Answer,
    ContactAdded,
    ContactArchived,
    ContactDetailsEdited,
    ContactErased,
    ContactEvent,
    ContactRestored,
    HowFound,
    InterviewCancelled,
    InterviewHeld,
    InterviewRequested,
    InterviewRescheduled,
    InterviewScheduled,
    KeptInTouch,
    MeetingFormat,
    NoteAdded,
    ReferralReceived,
    ReflectionRecorded,
    RequestAnswered,
    RequestFollowedUp,
    ThanksSent,
    contact_event,
)

Stage = Literal["identified", "requested", "scheduled", "interviewed", "thanked", "declined", "no_response", "archived"]
STAGES: tuple[Stage, ...] = (
    "identified",
    "requested",
    "scheduled",
    "interviewed",
    "thanked",
    "declined",
    "no_response",
    "archived",
)
InterviewStatus = Literal["scheduled", "cancelled", "held"]


class Interview(msgspec.Struct, frozen=True, kw_only=True):
    interview_id: UUID
    starts_at: datetime
    minutes: int
    format: MeetingFormat
    place: str | None = None
    status: InterviewStatus = "scheduled"
    held_at: datetime | None = None
    thanked_at: datetime | None = None


class ActionItem(msgspec.Struct, frozen=True, kw_only=True):
    item_id: UUID
    what: str
    due: date
    completed_at: datetime | None = None


class Referral(msgspec.Struct, frozen=True, kw_only=True):
    """Who this contact referred the student to. The name lives on that contact's own row, so
    erasing the referred person needs no change here."""

    contact_id: UUID
    received_at: datetime


class ContactState(msgspec.Struct, frozen=True, kw_only=True):
    """Everything decisions and read models need to know about one relationship."""

    exists: bool = False
    contact_id: UUID | None = None
    student_id: UUID | None = None
    name: str = ""
    title: str | None = None
    organization: str | None = None
    career_field: str | None = None
    email: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    how_found: HowFound = "other"
    referred_by: UUID | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None
    added_at: datetime | None = None
    requested_at: datetime | None = None
    requests_count: int = 0
    replies_count: int = 0
    request_format: MeetingFormat | None = None
    request_minutes: int | None = None
    followed_up_at: datetime | None = None
    met_since_request: bool = False
    """A meeting was scheduled after the latest request: that is its reply, answered or not."""
    answer: Answer | None = None
    answered_at: datetime | None = None
    interviews: tuple[Interview, ...] = ()
    thanks_count: int = 0
    last_thanks_at: datetime | None = None
    last_helpful_thing: str | None = None
    referrals: tuple[Referral, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    reflections: int = 0
    kept_in_touch_at: datetime | None = None
    notes_count: int = 0
    archived: bool = False
    erased: bool = False
    last_activity_at: datetime | None = None

    # -- derived ---------------------------------------------------------------------------------

    def interview(self, interview_id: UUID) -> Interview | None:
        return next((i for i in self.interviews if i.interview_id == interview_id), None)

    @property
    def upcoming(self) -> tuple[Interview, ...]:
        return tuple(i for i in self.interviews if i.status == "scheduled")

    @property
    def held(self) -> tuple[Interview, ...]:
        return tuple(i for i in self.interviews if i.status == "held")

    @property
    def awaiting_answer(self) -> bool:
        """A request is out, and neither an answer nor a meeting has come of it."""
        return self.requested_at is not None and self.answer is None and not self.met_since_request

    @property
    def last_touch_at(self) -> datetime | None:
        touches = [t for t in (self.last_thanks_at, self.kept_in_touch_at) if t is not None]
        touches += [i.held_at for i in self.held if i.held_at is not None]
        return max(touches, default=None)

    def stage(self, no_response: bool = False) -> Stage:  # noqa: PLR0911 - one return per stage
        """The stage, derived (product.md): never stored by hand. `no_response` comes from the agenda's clock."""
        if self.archived:
            return "archived"
        if self.thanks_count:
            return "thanked"
        if self.held:
            return "interviewed"
        if self.upcoming:
            return "scheduled"
        if self.answer == "declined":
            return "declined"
        if self.requested_at is not None:
            return "no_response" if no_response and self.awaiting_answer else "requested"
        return "identified"


def _touch(state: ContactState, at: datetime | None) -> ContactState:
    if at is None or (state.last_activity_at is not None and state.last_activity_at >= at):
        return state
    return replace(state, last_activity_at=at)


def _with_interview(state: ContactState, interview_id: UUID, **changes: object) -> ContactState:
    interviews = tuple(replace(i, **changes) if i.interview_id == interview_id else i for i in state.interviews)
    return replace(state, interviews=interviews)


def _edited(state: ContactState, e: ContactDetailsEdited) -> ContactState:
    changes: dict[str, object] = {}
    for field in ("name", "title", "organization", "career_field", "email", "phone", "linkedin_url", "notes"):
        value = getattr(e, field)
        if value is not None:
            changes[field] = value or (state.name if field == "name" else None)
    if e.tags is not None:
        changes["tags"] = tuple(e.tags)
    return replace(state, **changes)


def evolve(state: ContactState, event: ContactEvent, recorded_at: datetime | None = None) -> ContactState:  # noqa: PLR0911, PLR0912
    """The state after `event`. `recorded_at` (the store's time) dates events that carry no time."""
    match event:
        case ContactAdded():
            return ContactState(
                exists=True,
                contact_id=event.contact_id,
                student_id=event.student_id,
                name=event.name,
                title=event.title,
                organization=event.organization,
                career_field=event.career_field,
                email=event.email,
                phone=event.phone,
                linkedin_url=event.linkedin_url,
                how_found=event.how_found,
                referred_by=event.referred_by,
                tags=tuple(event.tags),
                notes=event.notes,
                added_at=event.added_at,
                last_activity_at=event.added_at,
            )
        case ContactDetailsEdited():
            return _touch(_edited(state, event), recorded_at)
        case InterviewRequested():
            new = replace(
                state,
                requested_at=event.sent_at,
                requests_count=state.requests_count + 1,
                request_format=event.format,
                request_minutes=event.minutes,
                followed_up_at=None,
                met_since_request=False,
                answer=None,
                answered_at=None,
            )
            return _touch(new, event.sent_at)
        case RequestFollowedUp():
            return _touch(replace(state, followed_up_at=event.sent_at), event.sent_at)
        case RequestAnswered():
            new = replace(
                state,
                answer=event.answer,
                answered_at=event.answered_at,
                replies_count=state.replies_count + int(state.awaiting_answer),
            )
            return _touch(new, event.answered_at)
        case InterviewScheduled():
            interview = Interview(
                interview_id=event.interview_id,
                starts_at=event.starts_at,
                minutes=event.minutes,
                format=event.format,
                place=event.place,
            )
            # A meeting that comes of a request is its reply, even when no answer was recorded first.
            replies = state.replies_count + int(state.awaiting_answer)
            new = replace(
                state, interviews=(*state.interviews, interview), replies_count=replies, met_since_request=True
            )
            return _touch(new, recorded_at)
        case InterviewRescheduled():
            new = _with_interview(state, event.interview_id, starts_at=event.starts_at, minutes=event.minutes)
            return _touch(new, recorded_at)
        case InterviewCancelled():
            return _touch(_with_interview(state, event.interview_id, status="cancelled"), recorded_at)
        case InterviewHeld():
            new = _with_interview(
                state, event.interview_id, status="held", held_at=event.held_at, minutes=event.minutes
            )
            return _touch(new, event.held_at)
        case ThanksSent():
            new = replace(
                state,
                thanks_count=state.thanks_count + 1,
                last_thanks_at=event.sent_at,
                last_helpful_thing=event.helpful_thing,
            )
            target = event.interview_id or next((i.interview_id for i in reversed(new.held) if not i.thanked_at), None)
            if target is not None:
                new = _with_interview(new, target, thanked_at=event.sent_at)
            return _touch(new, event.sent_at)
        case ReferralReceived():
            referral = Referral(contact_id=event.referred_contact_id, received_at=event.received_at)
            return _touch(replace(state, referrals=(*state.referrals, referral)), event.received_at)
        case ActionItemAdded():
            item = ActionItem(item_id=event.item_id, what=event.what, due=event.due)
            return _touch(replace(state, action_items=(*state.action_items, item)), recorded_at)
        case ActionItemCompleted():
            items = tuple(
                replace(i, completed_at=event.completed_at) if i.item_id == event.item_id else i
                for i in state.action_items
            )
            return _touch(replace(state, action_items=items), event.completed_at)
        case ReflectionRecorded():
            return _touch(replace(state, reflections=state.reflections + 1), event.recorded_at)
        case KeptInTouch():
            return _touch(replace(state, kept_in_touch_at=event.sent_at), event.sent_at)
        case NoteAdded():
            return _touch(replace(state, notes_count=state.notes_count + 1), event.noted_at)
        case ContactArchived():
            return _touch(replace(state, archived=True), event.archived_at)
        case ContactRestored():
            return _touch(replace(state, archived=False), event.restored_at)
        case ContactErased():
            return replace(
                state,
                erased=True,
                name=REDACTED,
                email=None,
                phone=None,
                linkedin_url=None,
                notes=None,
                last_helpful_thing=None,
                interviews=tuple(replace(i, place=None) for i in state.interviews),
            )
        case _:
            # A new event that this fold forgets is a type error, not a silent no-op.
            assert_never(event)


def fold(events: list[tuple[Event, datetime]], state: ContactState | None = None) -> ContactState:
    """Fold (event, recorded_at) pairs from `state` (or the empty state)."""
    current = state or ContactState()
    for event, recorded_at in events:
        current = evolve(current, contact_event(event), recorded_at)
    return current
