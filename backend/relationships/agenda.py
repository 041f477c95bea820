"""What to do next: product.md's agenda rules, as a pure function of one contact's state.

Due dates are dates in the student's calendar (their time zone; business days skip weekends and
their country's public holidays). Each item says why it exists; it disappears when the event that
answers it is folded into the state, because the rules are re-run on every new state.
"""

from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

import msgspec

from backend.calendar import StudentCalendar
from backend.relationships.state import ContactState, Interview

AgendaKind = Literal[
    "follow_up",
    "reach_out_same_org",
    "prepare",
    "send_thanks",
    "log_referral",
    "contact_referral",
    "action_item",
    "keep_in_touch",
]

# The windows of product.md's agenda table, in one place.
FOLLOW_UP_AFTER = 7  # business days after the request
REACH_OUT_SAME_ORG_AFTER = 3  # business days after the request
THANKS_DUE = 1  # business days after the interview
THANKS_LATE_AFTER = 2  # business days after the interview; also "thanked on time"
CONTACT_REFERRAL_AFTER = 2  # business days after the referred person was added
NO_RESPONSE_AFTER = 7  # business days after the follow-up
KEEP_IN_TOUCH_AFTER = timedelta(days=90)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class AgendaItem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing to do for one contact. Overdue once the student's today is after `late_after`."""

    kind: AgendaKind
    reason: str
    due: date
    late_after: date
    anchor_at: datetime
    ref: UUID | None = None

    def key(self, contact_id: UUID) -> str:
        return f"{contact_id.hex}:{self.kind}:{self.ref.hex if self.ref else '-'}"


def _day(day: date) -> str:
    """ "Mon 3 Mar": spelled out here rather than by strftime, which follows the server's locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def _held_at(interview: Interview) -> datetime:
    # `InterviewHeld` always carries its time; the start is only a fallback for the type checker.
    return interview.held_at or interview.starts_at


def _thanks_window(interview: Interview, calendar: StudentCalendar) -> tuple[date, date]:
    held_on = calendar.local_date(_held_at(interview))
    return calendar.add_business_days(held_on, THANKS_DUE), calendar.add_business_days(held_on, THANKS_LATE_AFTER)


def _request_items(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    if not state.awaiting_answer or state.requested_at is None:
        return []
    sent = state.requested_at
    sent_on = calendar.local_date(sent)
    items = []
    if state.followed_up_at is None:
        due = calendar.add_business_days(sent_on, FOLLOW_UP_AFTER)
        items.append(
            AgendaItem(
                kind="follow_up",
                reason=f"No reply from {state.name} to your request of {_day(sent_on)}: "
                "send a short, polite follow-up.",
                due=due,
                late_after=due,
                anchor_at=sent,
            )
        )
    if state.organization:
        due = calendar.add_business_days(sent_on, REACH_OUT_SAME_ORG_AFTER)
        items.append(
            AgendaItem(
                kind="reach_out_same_org",
                reason=f"While you wait for {state.name}'s answer, reach out to someone else at {state.organization}.",
                due=due,
                late_after=due,
                anchor_at=sent,
            )
        )
    return items


def _prepare_items(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    items = []
    for interview in state.upcoming:
        local = interview.starts_at.astimezone(calendar.zone)
        day = local.date()
        research = f"{state.name} and {state.organization}" if state.organization else state.name
        items.append(
            AgendaItem(
                kind="prepare",
                reason=f"Interview with {state.name} on {_day(day)} at {local:%H:%M}: "
                f"research {research}, and pick your questions.",
                due=day - timedelta(days=1),
                late_after=day,
                anchor_at=interview.starts_at,
                ref=interview.interview_id,
            )
        )
    return items


def _after_interview_items(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    held = sorted(state.held, key=_held_at)
    if not held:
        return []
    items = []
    unthanked = [i for i in held if i.thanked_at is None]
    for interview in unthanked:
        due, late_after = _thanks_window(interview, calendar)
        held_on = calendar.local_date(_held_at(interview))
        items.append(
            AgendaItem(
                kind="send_thanks",
                reason=f"You met {state.name} on {_day(held_on)}: send a short thank-you that names "
                "one specific thing that helped.",
                due=due,
                late_after=late_after,
                anchor_at=_held_at(interview),
                ref=interview.interview_id,
            )
        )
    if not state.referrals and not state.reflections:
        # Asked for "with the thank-you": the same window as the first thanks still owed. It is answered by
        # a referral, or by the student's reflection on the conversation (where they decide the next
        # steps, and can say there was no one to follow): an item that nothing can answer would stay forever.
        basis = unthanked[0] if unthanked else held[-1]
        due, late_after = _thanks_window(basis, calendar)
        items.append(
            AgendaItem(
                kind="log_referral",
                reason=f"Log who {state.name} suggested you talk to next (or reflect on the conversation if no one).",
                due=due,
                late_after=late_after,
                anchor_at=_held_at(basis),
            )
        )
    return items


def _referred_item(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    # A meeting without a recorded request also means the referred person was contacted.
    if state.referred_by is None or state.requested_at is not None or state.interviews or state.added_at is None:
        return []
    due = calendar.add_business_days(calendar.local_date(state.added_at), CONTACT_REFERRAL_AFTER)
    return [
        AgendaItem(
            kind="contact_referral",
            reason=f"{state.name} was referred to you: reach out, and mention who referred you.",
            due=due,
            late_after=due,
            anchor_at=state.added_at,
        )
    ]


def _action_items(state: ContactState) -> list[AgendaItem]:
    # An action item carries no time of its own; it counts from the last conversation, if any.
    held_times = [_held_at(i) for i in state.held]
    anchor = max(held_times, default=state.added_at)
    if anchor is None:
        return []
    return [
        AgendaItem(
            kind="action_item",
            reason=f"You promised {state.name}: {item.what}. Do it, then let them know.",
            due=item.due,
            late_after=item.due,
            anchor_at=anchor,
            ref=item.item_id,
        )
        for item in state.action_items
        if item.completed_at is None
    ]


def _keep_in_touch_item(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    last_touch = state.last_touch_at
    if not state.thanks_count or state.upcoming or last_touch is None:
        return []
    last_on = calendar.local_date(last_touch)
    due = last_on + KEEP_IN_TOUCH_AFTER
    return [
        AgendaItem(
            kind="keep_in_touch",
            reason=f"Last in touch with {state.name} on {_day(last_on)} {last_on.year}: "
            "send an update on what you did with their advice.",
            due=due,
            late_after=due,
            anchor_at=last_touch,
        )
    ]


def agenda_for(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    """The open items of one contact, earliest due first."""
    if not state.exists or state.archived or state.erased:
        return []
    items = [
        *_request_items(state, calendar),
        *_prepare_items(state, calendar),
        *_after_interview_items(state, calendar),
        *_referred_item(state, calendar),
        *_action_items(state),
        *_keep_in_touch_item(state, calendar),
    ]
    return sorted(items, key=lambda i: (i.due, i.kind))


def no_response_from(state: ContactState, calendar: StudentCalendar) -> date | None:
    """The first day on which an unanswered, followed-up request counts as `no_response`."""
    if not state.awaiting_answer or state.followed_up_at is None:
        return None
    return calendar.add_business_days(calendar.local_date(state.followed_up_at), NO_RESPONSE_AFTER)


def thanked_on_time(interview: Interview, calendar: StudentCalendar) -> bool | None:
    """Whether thanks came within 2 business days of the interview (None: not held or not thanked)."""
    if interview.status != "held" or interview.held_at is None or interview.thanked_at is None:
        return None
    held_on = calendar.local_date(interview.held_at)
    thanked_on = calendar.local_date(interview.thanked_at)
    return calendar.business_days_between(held_on, thanked_on) <= THANKS_LATE_AFTER
