"""After the interview: thanks, referrals, action items, reflection, staying in touch."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from backend.errors import DomainError, NotFoundError
from backend.eventstore.events import Event
from backend.fields import Body, LongText, Name, NonBlankText, ShortText, Timestamp
from backend.relationships.commands.rules import Decider, interview_of, must_be_active, not_before, not_in_future, text
from backend.relationships.events import (
    ActionItemAdded,
    ActionItemCompleted,
    Channel,
    ContactAdded,
    KeptInTouch,
    ReferralReceived,
    ReflectionRecorded,
    ThanksSent,
    contact_stream,
)
from backend.relationships.state import ContactState


class SendThanks(Body, frozen=True, kw_only=True):
    """A short, personal thank-you that names the specific thing that helped."""

    helpful_thing: NonBlankText
    channel: Channel = "email"
    interview_id: UUID | None = None
    sent_at: Timestamp | None = None


class RecordReferral(Body, frozen=True, kw_only=True):
    """Someone this contact suggested you talk to; they are added as a new contact."""

    name: Name
    title: ShortText | None = None
    organization: ShortText | None = None
    career_field: ShortText | None = None
    received_at: Timestamp | None = None
    referred_contact_id: UUID | None = None


class AddActionItem(Body, frozen=True, kw_only=True):
    """Something you promised: join a society, read a book, send an article, connect online."""

    what: Name
    due: date
    item_id: UUID | None = None


class CompleteActionItem(Body, frozen=True, kw_only=True):
    item_id: UUID
    completed_at: Timestamp | None = None


class RecordReflection(Body, frozen=True, kw_only=True):
    """What you learned, and what you will do next."""

    learned: NonBlankText
    next_steps: LongText | None = None


class KeepInTouch(Body, frozen=True, kw_only=True):
    """An update sent to stay in touch after the interview."""

    shared: LongText | None = None
    sent_at: Timestamp | None = None


def send_thanks(cmd: SendThanks, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if cmd.interview_id is not None:
        interview = interview_of(state, cmd.interview_id)
        if interview.status != "held":
            raise DomainError("Thanks are for an interview that was held; record it as held first.", code="not-held")
        held_at = interview.held_at
    elif not state.held:
        raise DomainError("There is no held interview to thank this contact for.", code="not-held")
    else:
        # The interview `evolve` will mark: the last one held and not yet thanked, else the last one held.
        target = next((i for i in reversed(state.held) if i.thanked_at is None), state.held[-1])
        held_at = target.held_at
    sent_at = cmd.sent_at or now
    not_in_future(sent_at, now, "A thank-you's sending time")
    not_before(sent_at, held_at, "A thank-you", "the interview")
    return [
        ThanksSent(
            interview_id=cmd.interview_id,
            sent_at=sent_at,
            channel=cmd.channel,
            helpful_thing=cmd.helpful_thing.strip(),
        )
    ]


def record_referral(cmd: RecordReferral, state: ContactState, now: datetime) -> tuple[list[Event], list[Event]]:
    """Events for this contact's stream, and the `ContactAdded` that starts the referred person's stream."""
    must_be_active(state)
    if cmd.referred_contact_id is None or state.student_id is None or state.contact_id is None:
        raise ValueError("the handler assigns the referred contact's id")
    if cmd.referred_contact_id == state.contact_id or any(
        r.contact_id == cmd.referred_contact_id for r in state.referrals
    ):
        raise DomainError("This referral is already recorded.", code="referral-exists")
    received_at = cmd.received_at or now
    not_in_future(received_at, now, "A referral's time")
    referral = ReferralReceived(
        referred_contact_id=cmd.referred_contact_id,
        referred_stream=contact_stream(state.student_id, cmd.referred_contact_id),
        referred_name=cmd.name.strip(),
        referred_title=text(cmd.title),
        referred_organization=text(cmd.organization),
        received_at=received_at,
    )
    added = ContactAdded(
        contact_id=cmd.referred_contact_id,
        student_id=state.student_id,
        name=cmd.name.strip(),
        title=text(cmd.title),
        organization=text(cmd.organization),
        career_field=text(cmd.career_field) or state.career_field,
        how_found="referral",
        referred_by=state.contact_id,
        added_at=received_at,
    )
    return [referral], [added]


def add_action_item(cmd: AddActionItem, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if cmd.item_id is None:
        raise ValueError("the handler assigns the item id")
    if any(i.item_id == cmd.item_id for i in state.action_items):
        raise DomainError("This action item already exists.", code="item-exists")
    return [ActionItemAdded(item_id=cmd.item_id, what=cmd.what.strip(), due=cmd.due)]


def complete_action_item(cmd: CompleteActionItem, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    item = next((i for i in state.action_items if i.item_id == cmd.item_id), None)
    if item is None:
        raise NotFoundError("No such action item for this contact.")
    if item.completed_at is not None:
        raise DomainError("This action item is already done.", code="item-done")
    completed_at = cmd.completed_at or now
    not_in_future(completed_at, now, "A completion time")
    return [ActionItemCompleted(item_id=cmd.item_id, completed_at=completed_at)]


def record_reflection(cmd: RecordReflection, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    return [ReflectionRecorded(learned=cmd.learned.strip(), next_steps=text(cmd.next_steps), recorded_at=now)]


def keep_in_touch(cmd: KeepInTouch, state: ContactState, now: datetime) -> list[Event]:
    must_be_active(state)
    if not state.held:
        raise DomainError(
            "Staying in touch follows an interview; until then, follow up on the request.", code="not-held"
        )
    sent_at = cmd.sent_at or now
    not_in_future(sent_at, now, "An update's sending time")
    return [KeptInTouch(sent_at=sent_at, shared=text(cmd.shared))]


DECIDERS: dict[type[Any], Decider] = {
    SendThanks: send_thanks,
    AddActionItem: add_action_item,
    CompleteActionItem: complete_action_item,
    RecordReflection: record_reflection,
    KeepInTouch: keep_in_touch,
}
