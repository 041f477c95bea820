"""Interviews as iCalendar, checked by parsing the output back with icalendar."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from icalendar import Alarm, Calendar, Event

from backend.relationships.events import ContactAdded, ContactErased, InterviewCancelled, InterviewScheduled
from backend.relationships.ics import PRODID, feed_ics, interview_event, interview_ics
from backend.relationships.state import ContactState, Interview, fold

pytestmark = pytest.mark.unit

CHICAGO_WINTER = timezone(timedelta(hours=-6))
STARTS = datetime(2025, 3, 4, 9, 30, tzinfo=CHICAGO_WINTER)
STAMP = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CONTACT = ContactState(
    exists=True, name="Ana Ruiz", title="Senior Epidemiologist", organization="County Health", email="ana@example.org"
)


def _interview(**changes: object) -> Interview:
    fields: dict[str, object] = {
        "interview_id": uuid4(),
        "starts_at": STARTS,
        "minutes": 25,
        "format": "in_person",
        "place": "Café Luna, 12 Main St; table by the window",
    }
    fields.update(changes)
    return Interview(**fields)  # type: ignore[arg-type]


def _only_event(ics: bytes) -> Event:
    calendar = Calendar.from_ical(ics)
    [event] = calendar.events
    return event


def _unfolded(ics: bytes) -> str:
    return ics.decode().replace("\r\n ", "")


def test_one_interview_is_a_complete_publishable_calendar() -> None:
    interview = _interview()
    ics = interview_ics(interview, CONTACT, stamp=STAMP, sequence=2)
    calendar = Calendar.from_ical(ics)
    assert calendar["PRODID"] == PRODID
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    event = _only_event(ics)
    assert event["UID"] == f"{interview.interview_id}@rapport"
    assert event["SUMMARY"] == "Informational interview with Ana Ruiz"
    assert event["LOCATION"] == "Café Luna, 12 Main St; table by the window"
    description = event.description or ""
    assert "Senior Epidemiologist at County Health" in description
    assert "questions" in description
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 2
    assert event.stamp == STAMP


def test_times_are_written_in_utc_and_end_after_the_minutes() -> None:
    ics = interview_ics(_interview(), CONTACT, stamp=STAMP)
    event = _only_event(ics)
    start = event.start
    assert isinstance(start, datetime)
    assert start == STARTS
    assert start.utcoffset() == timedelta(0)
    assert event.end == STARTS + timedelta(minutes=25)
    assert "DTSTART:20250304T153000Z" in ics.decode()
    assert "DTEND:20250304T155500Z" in ics.decode()


def test_a_reminder_fires_an_hour_before() -> None:
    event = _only_event(interview_ics(_interview(), CONTACT, stamp=STAMP))
    [alarm] = [c for c in event.subcomponents if isinstance(c, Alarm)]
    assert alarm["ACTION"] == "DISPLAY"
    trigger = alarm.TRIGGER
    assert trigger == timedelta(hours=-1)
    [when] = event.alarms.times
    assert when.trigger == STARTS - timedelta(hours=1)


def test_the_uid_is_stable_so_calendars_update_instead_of_duplicating() -> None:
    interview = _interview()
    moved = _interview(interview_id=interview.interview_id, starts_at=STARTS + timedelta(days=1))
    assert interview_event(interview, CONTACT).uid == interview_event(moved, CONTACT).uid
    assert interview_ics(interview, CONTACT, stamp=STAMP) == interview_ics(interview, CONTACT, stamp=STAMP)


def test_a_cancelled_interview_is_marked_cancelled_and_does_not_remind() -> None:
    iid = uuid4()
    state = fold(
        [
            (
                ContactAdded(contact_id=uuid4(), student_id=uuid4(), name="Ana Ruiz", how_found="cold", added_at=STAMP),
                STAMP,
            ),
            (InterviewScheduled(interview_id=iid, starts_at=STARTS, minutes=20, format="video"), STAMP),
            (InterviewCancelled(interview_id=iid, by="contact"), STAMP),
        ]
    )
    event = _only_event(interview_ics(state.interviews[0], state, stamp=STAMP))
    assert event["STATUS"] == "CANCELLED"
    assert not event.walk("VALARM")


def test_an_erased_contact_leaks_no_personal_data() -> None:
    iid = uuid4()
    state = fold(
        [
            (
                ContactAdded(
                    contact_id=uuid4(),
                    student_id=uuid4(),
                    name="Ana Ruiz",
                    title="Senior Epidemiologist",
                    organization="County Health",
                    email="ana@example.org",
                    phone="+1 312 555 0100",
                    how_found="cold",
                    added_at=STAMP,
                ),
                STAMP,
            ),
            (
                InterviewScheduled(
                    interview_id=iid, starts_at=STARTS, minutes=20, format="in_person", place="Café Luna"
                ),
                STAMP,
            ),
            (ContactErased(erased_at=STAMP), STAMP),
        ]
    )
    for ics in (interview_ics(state.interviews[0], state, stamp=STAMP), feed_ics([(state.interviews[0], state)])):
        text = _unfolded(ics)
        for leak in ("Ana", "Ruiz", "Café", "Luna", "Epidemiologist", "County", "example.org", "312 555", "[erased]"):
            assert leak not in text
        event = _only_event(ics)
        assert event["SUMMARY"] == "Informational interview"
        assert "LOCATION" not in event
        assert event.start == STARTS  # the history keeps its shape


def test_a_feed_holds_every_interview_and_asks_to_be_refreshed_hourly() -> None:
    items = [(_interview(starts_at=STARTS + timedelta(days=n)), CONTACT) for n in range(3)]
    ics = feed_ics(items, name="Sam's interviews", stamp=STAMP)
    calendar = Calendar.from_ical(ics)
    assert len(calendar.events) == 3
    assert {e.uid for e in calendar.events} == {f"{i.interview_id}@rapport" for i, _ in items}
    assert calendar["X-WR-CALNAME"] == "Sam's interviews"
    assert calendar.refresh_interval == timedelta(hours=1)
    text = ics.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text
    assert calendar["METHOD"] == "PUBLISH"


def test_an_empty_feed_is_still_a_calendar() -> None:
    calendar = Calendar.from_ical(feed_ics([], stamp=STAMP))
    assert calendar.events == []
    assert calendar["X-WR-CALNAME"] == "Rapport interviews"


@pytest.mark.parametrize("make", ["one", "feed"])
def test_lines_end_with_crlf_and_fold_at_75_octets(make: str) -> None:
    long_place = "https://meet.example.org/" + "x" * 200
    interview = _interview(place=long_place, format="video")
    ics = interview_ics(interview, CONTACT, stamp=STAMP) if make == "one" else feed_ics([(interview, CONTACT)])
    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    assert _only_event(ics)["URL"] == long_place


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        interview_ics(_interview(starts_at=datetime(2025, 3, 4, 9, 30)), CONTACT)
