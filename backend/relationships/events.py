"""Events on a contact's stream (`contact-<student>.<contact>`): frozen, past tense, tagged; their names are forever.

Personal data of the contact (a third party who never signed up) is marked `Personal[...]`: the store
seals it with the contact's key, and `ContactErased` destroys that key.
"""

from datetime import date, datetime
from typing import Annotated, Literal, cast
from uuid import UUID

import msgspec

from backend.eventstore.events import Event, Personal, PersonalData

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]

HowFound = Literal[
    "professor",
    "alumni",
    "career_office",
    "friend_family",
    "colloquium",
    "linkedin",
    "conference",
    "cold",
    "referral",
    "other",
]
Channel = Literal["email", "linkedin", "phone", "in_person", "introduction"]
MeetingFormat = Literal["phone", "video", "in_person"]
Answer = Literal["accepted", "declined"]
Party = Literal["student", "contact"]

# A referred person's name is personal data of the *new* contact, whose stream id the event names.
OfReferred = PersonalData(subject_field="referred_stream")


class ContactAdded(Event, frozen=True, kw_only=True):
    contact_id: UUID
    student_id: UUID
    name: Personal[str]
    title: str | None = None
    organization: str | None = None
    career_field: str | None = None
    email: Personal[str | None] = None
    phone: Personal[str | None] = None
    linkedin_url: Personal[str | None] = None
    how_found: HowFound
    referred_by: UUID | None = None
    tags: list[str] = msgspec.field(default_factory=list)
    notes: Personal[str | None] = None
    added_at: AwareDatetime


class ContactDetailsEdited(Event, frozen=True, kw_only=True):
    """The changed fields only: None means unchanged, "" means cleared."""

    name: Personal[str | None] = None
    title: str | None = None
    organization: str | None = None
    career_field: str | None = None
    email: Personal[str | None] = None
    phone: Personal[str | None] = None
    linkedin_url: Personal[str | None] = None
    tags: list[str] | None = None
    notes: Personal[str | None] = None


class InterviewRequested(Event, frozen=True, kw_only=True):
    channel: Channel
    format: MeetingFormat
    minutes: int
    message: Personal[str | None] = None
    sent_at: AwareDatetime


class RequestFollowedUp(Event, frozen=True, kw_only=True):
    channel: Channel
    sent_at: AwareDatetime


class RequestAnswered(Event, frozen=True, kw_only=True):
    answer: Answer
    note: Personal[str | None] = None
    answered_at: AwareDatetime


class InterviewScheduled(Event, frozen=True, kw_only=True):
    interview_id: UUID
    starts_at: AwareDatetime
    minutes: int
    format: MeetingFormat
    place: Personal[str | None] = None


class InterviewRescheduled(Event, frozen=True, kw_only=True):
    interview_id: UUID
    starts_at: AwareDatetime
    minutes: int
    by: Party


class InterviewCancelled(Event, frozen=True, kw_only=True):
    interview_id: UUID
    reason: str | None = None
    by: Party


class InterviewHeld(Event, frozen=True, kw_only=True):
    interview_id: UUID
    held_at: AwareDatetime
    minutes: int
    notes: Personal[str | None] = None
    questions_asked: list[str] = msgspec.field(default_factory=list)
    key_takeaways: Personal[str | None] = None
    advice: Personal[str | None] = None
    resources: list[str] = msgspec.field(default_factory=list)
    fit_signal: int = 0


class ThanksSent(Event, frozen=True, kw_only=True):
    interview_id: UUID | None = None
    sent_at: AwareDatetime
    channel: Channel
    helpful_thing: Personal[str]


class ReferralReceived(Event, frozen=True, kw_only=True):
    referred_contact_id: UUID
    referred_stream: str
    referred_name: Annotated[str, OfReferred]
    referred_title: str | None = None
    referred_organization: str | None = None
    received_at: AwareDatetime


class ActionItemAdded(Event, frozen=True, kw_only=True):
    item_id: UUID
    what: str
    due: date


class ActionItemCompleted(Event, frozen=True, kw_only=True):
    item_id: UUID
    completed_at: AwareDatetime


class ReflectionRecorded(Event, frozen=True, kw_only=True):
    learned: str
    next_steps: str | None = None
    recorded_at: AwareDatetime


class KeptInTouch(Event, frozen=True, kw_only=True):
    sent_at: AwareDatetime
    shared: Personal[str | None] = None


class NoteAdded(Event, frozen=True, kw_only=True):
    text: Personal[str]
    noted_at: AwareDatetime


class ContactArchived(Event, frozen=True, kw_only=True):
    reason: str | None = None
    archived_at: AwareDatetime


class ContactRestored(Event, frozen=True, kw_only=True):
    reason: str | None = None
    restored_at: AwareDatetime


class ContactErased(Event, frozen=True, kw_only=True):
    erased_at: AwareDatetime


ContactEvent = (
    ContactAdded
    | ContactDetailsEdited
    | InterviewRequested
    | RequestFollowedUp
    | RequestAnswered
    | InterviewScheduled
    | InterviewRescheduled
    | InterviewCancelled
    | InterviewHeld
    | ThanksSent
    | ReferralReceived
    | ActionItemAdded
    | ActionItemCompleted
    | ReflectionRecorded
    | KeptInTouch
    | NoteAdded
    | ContactArchived
    | ContactRestored
    | ContactErased
)

CONTACT_EVENTS: tuple[type[Event], ...] = (
    ContactAdded,
    ContactDetailsEdited,
    InterviewRequested,
    RequestFollowedUp,
    RequestAnswered,
    InterviewScheduled,
    InterviewRescheduled,
    InterviewCancelled,
    InterviewHeld,
    ThanksSent,
    ReferralReceived,
    ActionItemAdded,
    ActionItemCompleted,
    ReflectionRecorded,
    KeptInTouch,
    NoteAdded,
    ContactArchived,
    ContactRestored,
    ContactErased,
)


def contact_event(event: Event) -> ContactEvent:
    """`event`, known to be one of a contact's (a fold over ContactEvent is exhaustive: see state.evolve)."""
    if not isinstance(event, CONTACT_EVENTS):
        raise TypeError(f"{type(event).__name__} is not an event of a contact's stream")
    return cast(ContactEvent, event)


def contact_stream(student_id: UUID, contact_id: UUID) -> str:
    """The stream of one student's contact. The contact's id is chosen by the client (the phone makes it
    offline), so it is namespaced by its owner: another student's id names another stream, and behaves
    exactly like a fresh one. (Streams written before ids were scoped are `contact-<contact>`; the
    `contacts` read model records each contact's stream, so both are found the same way.)"""
    return f"contact-{student_id.hex}.{contact_id.hex}"
