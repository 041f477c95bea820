"""What to do next: product.md's agenda rules, as a pure function of one contact's state.

Due dates are dates in the student's calendar (their time zone; business days skip weekends and
their country's public holidays). Each item says why it exists; it disappears when the event that
answers it is folded into the state, because the rules are re-run on every new state.
"""

from datetime import date, datetime
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


def agenda_for(state: ContactState, calendar: StudentCalendar) -> list[AgendaItem]:
    """The open items of one contact, earliest due first."""
    raise NotImplementedError


def no_response_from(state: ContactState, calendar: StudentCalendar) -> date | None:
    """The first day on which an unanswered, followed-up request counts as `no_response`."""
    raise NotImplementedError


def thanked_on_time(interview: Interview, calendar: StudentCalendar) -> bool | None:
    """Whether thanks came within 2 business days of the interview (None: not held or not thanked)."""
    raise NotImplementedError
