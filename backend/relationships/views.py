"""What the API shows of a relationship: response Structs (camelCase JSON) built from read-model rows.

Views are not the state: they leave out what a client has no use for, and add what it needs to act
(the stage as of today, the valid next steps, the agenda of this contact).
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

import msgspec

from backend.relationships.events import (
    ActionItemAdded,
    Answer,
    ContactEvent,
    HowFound,
    InterviewHeld,
    InterviewRequested,
    InterviewScheduled,
    MeetingFormat,
    RequestAnswered,
    ThanksSent,
)
from backend.relationships.state import ContactState, InterviewStatus, evolve

Step = Literal[
    "edit",
    "note",
    "request",
    "follow_up",
    "answer",
    "schedule",
    "reschedule",
    "cancel",
    "held",
    "thanks",
    "referral",
    "action_item",
    "complete_action_item",
    "reflection",
    "keep_in_touch",
    "archive",
    "restore",
    "erase",
]
ShownStage = Literal[
    "identified", "requested", "scheduled", "interviewed", "thanked", "declined", "no_response", "archived"
]
AgendaBucket = Literal["overdue", "today", "upcoming"]


class View(msgspec.Struct, kw_only=True, rename="camel"):
    """Base of every response body: camelCase on the wire."""


class PersonRef(View):
    id: UUID
    name: str
    erased: bool = False


class InterviewView(View):
    id: UUID
    contact_id: UUID
    starts_at: datetime
    minutes: int
    format: MeetingFormat
    place: str | None
    status: InterviewStatus
    held_at: datetime | None
    thanked_at: datetime | None
    contact_name: str | None = None
    thanked_on_time: bool | None = None


class ActionItemView(View):
    id: UUID
    what: str
    due: date
    completed_at: datetime | None


class RequestView(View):
    requested_at: datetime
    format: MeetingFormat | None
    minutes: int | None
    followed_up_at: datetime | None
    answer: Answer | None
    answered_at: datetime | None


class Counts(View):
    requests: int
    replies: int
    interviews_held: int
    thanks: int
    referrals: int
    notes: int
    reflections: int


class AgendaItemView(View):
    key: str
    kind: str
    reason: str
    due: date
    late_after: date
    bucket: AgendaBucket
    contact_id: UUID
    contact_name: str
    organization: str | None
    """The contact's organization (for reaching out to someone else there)."""
    ref: UUID | None


class ContactSummary(View):
    id: UUID
    version: int
    name: str
    title: str | None
    organization: str | None
    career_field: str | None
    tags: list[str]
    stage: ShownStage
    referrer: bool
    """This person referred you to someone (product.md's `referrer`)."""
    last_activity_at: datetime
    next_action: str | None
    next_due: date | None
    archived: bool
    erased: bool


class ContactDetail(ContactSummary):
    email: str | None
    phone: str | None
    linkedin_url: str | None
    how_found: HowFound
    notes: str | None
    added_at: datetime
    referred_by: PersonRef | None
    referrals: list[PersonRef]
    request: RequestView | None
    interviews: list[InterviewView]
    action_items: list[ActionItemView]
    counts: Counts
    next_steps: list[Step]
    steps_after: dict[Step, list[Step]]
    """For each step that moves the relationship on, the steps the rules allow once it is recorded: a
    phone offline can offer the thank-you right after the interview it queued, while the server still
    decides when the queue is sent."""
    agenda: list[AgendaItemView]
    last_helpful_thing: str | None


class ContactPage(View):
    items: list[ContactSummary]
    next_cursor: str | None


def next_steps(state: ContactState) -> list[Step]:
    """The steps the rules allow now (the client shows these buttons, and only these)."""
    if not state.exists or state.erased:
        return []
    if state.archived:
        return ["note", "restore", "erase"]
    steps: list[Step] = ["edit", "note"]
    if not state.upcoming and not state.awaiting_answer:
        steps.append("request")
    if state.awaiting_answer:
        steps += ["follow_up", "answer"] if state.followed_up_at is None else ["answer"]
    if not state.upcoming and state.answer != "declined":
        steps.append("schedule")
    if state.upcoming:
        steps += ["reschedule", "cancel", "held"]
    if state.held:
        steps += ["thanks", "reflection", "keep_in_touch"]
    steps += ["referral", "action_item"]
    if any(i.completed_at is None for i in state.action_items):
        steps.append("complete_action_item")
    steps += ["archive", "erase"]
    return steps


# Any moment will do: which steps are allowed never depends on the dates, only on what happened.
_SOMETIME = datetime(2000, 1, 1, tzinfo=UTC)


def _step_events(state: ContactState) -> dict[Step, ContactEvent]:
    """The event a typical instance of each stage-moving step would record."""
    events: dict[Step, ContactEvent] = {
        "request": InterviewRequested(channel="email", format="video", minutes=20, sent_at=_SOMETIME),
        "answer": RequestAnswered(answer="accepted", answered_at=_SOMETIME),
        "schedule": InterviewScheduled(interview_id=uuid4(), starts_at=_SOMETIME, minutes=20, format="video"),
        "thanks": ThanksSent(sent_at=_SOMETIME, channel="email", helpful_thing="-"),
        "action_item": ActionItemAdded(item_id=uuid4(), what="-", due=_SOMETIME.date()),
    }
    if state.upcoming:
        held = state.upcoming[0]
        events["held"] = InterviewHeld(interview_id=held.interview_id, held_at=_SOMETIME, minutes=held.minutes)
    return events


def steps_after(state: ContactState, allowed: list[Step]) -> dict[Step, list[Step]]:
    """What each allowed, stage-moving step would allow next, by the same rules (`next_steps`)."""
    return {
        step: next_steps(evolve(state, event, _SOMETIME))
        for step, event in _step_events(state).items()
        if step in allowed
    }


def summary_fields(row: Any) -> dict[str, Any]:
    """The ContactSummary fields of a `contacts` row selected with SUMMARY_COLUMNS."""
    return {
        "id": row["contact_id"],
        "version": row["version"],
        "name": row["name"],
        "title": row["title"],
        "organization": row["organization"],
        "career_field": row["career_field"],
        "tags": list(row["tags"]),
        "stage": row["shown_stage"],
        "referrer": row["referrals"] > 0,
        "last_activity_at": row["last_activity_at"],
        "next_action": row["next_action"],
        "next_due": row["next_due"],
        "archived": row["archived"],
        "erased": row["erased"],
    }


def interview_view(i: Any, contact_id: UUID) -> InterviewView:
    return InterviewView(
        id=i.interview_id,
        contact_id=contact_id,
        starts_at=i.starts_at,
        minutes=i.minutes,
        format=i.format,
        place=i.place,
        status=i.status,
        held_at=i.held_at,
        thanked_at=i.thanked_at,
    )


def detail(
    row: Any,
    state: ContactState,
    *,
    people: Mapping[UUID, PersonRef],
    agenda: list[AgendaItemView],
) -> ContactDetail:
    assert state.contact_id is not None  # noqa: S101 - rows exist only for added contacts
    request = (
        RequestView(
            requested_at=state.requested_at,
            format=state.request_format,
            minutes=state.request_minutes,
            followed_up_at=state.followed_up_at,
            answer=state.answer,
            answered_at=state.answered_at,
        )
        if state.requested_at is not None
        else None
    )
    return ContactDetail(
        **summary_fields(row),
        email=state.email,
        phone=state.phone,
        linkedin_url=state.linkedin_url,
        how_found=state.how_found,
        notes=state.notes,
        added_at=row["added_at"],
        referred_by=people.get(state.referred_by) if state.referred_by else None,
        referrals=[people[r.contact_id] for r in state.referrals if r.contact_id in people],
        request=request,
        interviews=[interview_view(i, state.contact_id) for i in state.interviews],
        action_items=[
            ActionItemView(id=a.item_id, what=a.what, due=a.due, completed_at=a.completed_at)
            for a in state.action_items
        ],
        counts=Counts(
            requests=state.requests_count,
            replies=state.replies_count,
            interviews_held=len(state.held),
            thanks=state.thanks_count,
            referrals=len(state.referrals),
            notes=state.notes_count,
            reflections=state.reflections,
        ),
        next_steps=(allowed := next_steps(state)),
        steps_after=steps_after(state, allowed),
        agenda=agenda,
        last_helpful_thing=state.last_helpful_thing,
    )
