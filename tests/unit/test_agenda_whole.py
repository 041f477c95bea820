"""The agenda read whole: each stage of a relationship gives exactly these items, reasons and dates included.

test_agenda.py walks the rules one by one; here a contact with no organization goes from request to
thanks, and the agenda at each step is compared item by item, every field of every item.
"""

from datetime import date, datetime
from uuid import UUID

import pytest
from msgspec.structs import replace

from backend import calendar
from backend.calendar import StudentCalendar, database_knows, database_zones_known, is_time_zone
from backend.relationships.agenda import AgendaItem, agenda_for, thanked_on_time
from backend.relationships.events import (
    ContactAdded,
    ContactEvent,
    InterviewHeld,
    InterviewRequested,
    InterviewScheduled,
    ReflectionRecorded,
    ThanksSent,
)
from backend.relationships.state import Interview, fold

pytestmark = pytest.mark.unit

NEW_YORK = StudentCalendar(time_zone="America/New_York", country="US")
MEETING = UUID(int=10)


def ny(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02}:00").replace(tzinfo=NEW_YORK.zone)


ADDED = ContactAdded(
    contact_id=UUID(int=1), student_id=UUID(int=2), name="Ada Lovelace", how_found="cold", added_at=ny("2026-02-27")
)
REQUESTED = InterviewRequested(channel="email", format="video", minutes=20, sent_at=ny("2026-03-02"))  # a Monday
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=ny("2026-03-10", 14), minutes=30, format="video")
HELD = InterviewHeld(interview_id=MEETING, held_at=ny("2026-03-10", 15), minutes=30)
THANKED = ThanksSent(interview_id=MEETING, sent_at=ny("2026-03-11", 9), channel="email", helpful_thing="The list")
REFLECTED = ReflectionRecorded(learned="Plenty", recorded_at=ny("2026-03-11", 10))


def agenda(*events: ContactEvent) -> list[AgendaItem]:
    return agenda_for(fold([(e, ny("2026-03-01")) for e in events]), NEW_YORK)


def test_a_request_without_an_organization_asks_only_for_a_follow_up() -> None:
    assert agenda(ADDED, REQUESTED) == [
        AgendaItem(
            kind="follow_up",
            reason="No reply from Ada Lovelace to your request of Mon 2 Mar: send a short, polite follow-up.",
            due=date(2026, 3, 11),
            late_after=date(2026, 3, 11),
            anchor_at=REQUESTED.sent_at,
        )
    ]


def test_preparing_for_someone_without_an_organization_researches_them() -> None:
    assert agenda(ADDED, REQUESTED, SCHEDULED) == [
        AgendaItem(
            kind="prepare",
            reason="Interview with Ada Lovelace on Tue 10 Mar at 14:00: research Ada Lovelace, and pick your "
            "questions.",
            due=date(2026, 3, 9),
            late_after=date(2026, 3, 10),
            anchor_at=SCHEDULED.starts_at,
            ref=MEETING,
        )
    ]


def test_once_held_thank_them_and_log_who_they_suggested() -> None:
    assert agenda(ADDED, REQUESTED, SCHEDULED, HELD) == [
        AgendaItem(
            kind="log_referral",
            reason="Log who Ada Lovelace suggested you talk to next (or reflect on the conversation if no one).",
            due=date(2026, 3, 11),
            late_after=date(2026, 3, 12),
            anchor_at=HELD.held_at,
        ),
        AgendaItem(
            kind="send_thanks",
            reason="You met Ada Lovelace on Tue 10 Mar: send a short thank-you that names one specific thing that "
            "helped.",
            due=date(2026, 3, 11),
            late_after=date(2026, 3, 12),
            anchor_at=HELD.held_at,
            ref=MEETING,
        ),
    ]


def test_once_thanked_and_reflected_on_stay_in_touch_in_90_days() -> None:
    assert agenda(ADDED, REQUESTED, SCHEDULED, HELD, THANKED, REFLECTED) == [
        AgendaItem(
            kind="keep_in_touch",
            reason="Last in touch with Ada Lovelace on Wed 11 Mar 2026: send an update on what you did with their "
            "advice.",
            due=date(2026, 6, 9),
            late_after=date(2026, 6, 9),
            anchor_at=THANKED.sent_at,
        )
    ]


def test_thanked_on_time_is_none_for_an_interview_that_was_not_held() -> None:
    # Its contract, for any interview it is given: only a held, thanked interview has an answer.
    at = ny("2026-03-10", 15)
    cancelled = Interview(
        interview_id=MEETING, starts_at=at, minutes=30, format="video", status="cancelled", held_at=at, thanked_at=at
    )
    assert thanked_on_time(cancelled, NEW_YORK) is None
    assert thanked_on_time(replace(cancelled, status="held"), NEW_YORK) is True


# -- the calendar's edges ------------------------------------------------------------------------


def test_a_moment_without_a_time_zone_has_no_local_date() -> None:
    with pytest.raises(ValueError, match=r"^a moment without a time zone has no local date$"):
        NEW_YORK.local_date(datetime(2026, 3, 2, 10))  # naive on purpose


def test_the_database_zones_narrow_the_known_ones_once_told(monkeypatch: pytest.MonkeyPatch) -> None:
    # Module state set once per process at start-up; monkeypatch puts back whatever this process had.
    monkeypatch.setattr(calendar, "_database_zones", None)
    assert (database_zones_known(), is_time_zone("Europe/Paris")) == (False, True)
    database_knows(["UTC", "America/New_York"])
    assert (database_zones_known(), is_time_zone("Europe/Paris"), is_time_zone("UTC")) == (True, False, True)
