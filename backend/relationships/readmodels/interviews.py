"""The interviews read model (`interviews`): upcoming and past pages, one interview, and the
interviews a calendar feed lists.
"""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from backend.errors import NotFoundError
from backend.eventstore.types import Conn
from backend.relationships.state import ContactState, Interview, InterviewStatus
from backend.relationships.views import (
    InterviewView,
    View,
)

When = Literal["upcoming", "past"]
FEED_PAST_DAYS = 30
"""The feed keeps the last month: a calendar deletes what a feed stops listing, so an interview must not
vanish the moment it is over, and a cancelled one must stay long enough (as CANCELLED) to be removed."""


class InterviewPage(View):
    items: list[InterviewView]
    next_cursor: str | None


_INTERVIEW_COLUMNS = """
    i.interview_id, i.contact_id, i.starts_at, i.minutes, i.format, i.place, i.status, i.held_at, i.thanked_at,
    i.thanked_on_time, c.name AS contact_name
"""
_INTERVIEWS_FROM = "interviews i JOIN contacts c ON c.student_id = i.student_id AND c.contact_id = i.contact_id"

_UPCOMING = f"""
SELECT {_INTERVIEW_COLUMNS} FROM {_INTERVIEWS_FROM}
WHERE i.student_id = $1 AND i.status = 'scheduled' AND i.starts_at > now()
  AND ($2::timestamptz IS NULL OR (i.starts_at, i.interview_id) > ($2, $3::uuid))
ORDER BY i.starts_at, i.interview_id
LIMIT $4
"""

_PAST = f"""
SELECT {_INTERVIEW_COLUMNS} FROM {_INTERVIEWS_FROM}
WHERE i.student_id = $1 AND (i.status <> 'scheduled' OR i.starts_at <= now())
  AND ($2::timestamptz IS NULL OR (i.starts_at, i.interview_id) < ($2, $3::uuid))
ORDER BY i.starts_at DESC, i.interview_id DESC
LIMIT $4
"""

_ONE_INTERVIEW = f"SELECT {_INTERVIEW_COLUMNS} FROM {_INTERVIEWS_FROM} WHERE i.student_id = $1 AND i.interview_id = $2"

_INTERVIEW_STATE = f"SELECT c.state FROM {_INTERVIEWS_FROM} WHERE i.student_id = $1 AND i.interview_id = $2"

_FEED = f"""
SELECT i.interview_id, i.contact_id, c.state FROM {_INTERVIEWS_FROM}
WHERE i.student_id = $1 AND i.starts_at >= now() - make_interval(days => $2)
ORDER BY i.starts_at, i.interview_id
"""


def _interview(row: Any) -> InterviewView:
    status: InterviewStatus = row["status"]
    return InterviewView(
        id=row["interview_id"],
        contact_id=row["contact_id"],
        starts_at=row["starts_at"],
        minutes=row["minutes"],
        format=row["format"],
        place=row["place"],
        status=status,
        held_at=row["held_at"],
        thanked_at=row["thanked_at"],
        contact_name=row["contact_name"],
        thanked_on_time=row["thanked_on_time"],
    )


async def list_interviews(
    conn: Conn, student_id: UUID, when: When, *, after: tuple[datetime, UUID] | None, limit: int
) -> tuple[list[InterviewView], tuple[datetime, UUID] | None]:
    """One page of interviews (upcoming: soonest first; past: latest first) and the position after it."""
    rows = await conn.fetch(
        _UPCOMING if when == "upcoming" else _PAST,
        student_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    items = [_interview(r) for r in rows[:limit]]
    more = len(rows) > limit
    return items, ((rows[limit - 1]["starts_at"], rows[limit - 1]["interview_id"]) if more else None)


async def interview(conn: Conn, student_id: UUID, interview_id: UUID) -> InterviewView:
    row = await conn.fetchrow(_ONE_INTERVIEW, student_id, interview_id)
    if row is None:
        raise NotFoundError("No such interview.")
    return _interview(row)


async def interview_with_contact(conn: Conn, student_id: UUID, interview_id: UUID) -> tuple[Interview, ContactState]:
    """An interview and its contact's state, as the calendar file needs them."""
    state_json = await conn.fetchval(_INTERVIEW_STATE, student_id, interview_id)
    state = msgspec.convert(state_json, ContactState) if state_json is not None else None
    found = state.interview(interview_id) if state is not None else None
    if state is None or found is None:
        raise NotFoundError("No such interview.")
    return found, state


async def feed_interviews(conn: Conn, student_id: UUID) -> list[tuple[Interview, ContactState]]:
    """What a calendar feed lists: every interview from a month ago on, cancelled ones included."""
    items = []
    states: dict[UUID, ContactState] = {}
    for row in await conn.fetch(_FEED, student_id, FEED_PAST_DAYS):
        state = states.get(row["contact_id"])
        if state is None:
            state = states[row["contact_id"]] = msgspec.convert(row["state"], ContactState)
        found = state.interview(row["interview_id"])
        if found is not None:
            items.append((found, state))
    return items
