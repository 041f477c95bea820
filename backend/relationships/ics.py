"""Interviews as iCalendar (RFC 5545): one event to add to a calendar, or a feed to subscribe to.

Times are written in UTC, so no VTIMEZONE is needed and every client shows them in its own zone.
An erased contact's interviews keep their time but lose everything that could say who it was.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import STATUS, Alarm, Calendar, Event, vDuration

from backend.eventstore.events import REDACTED
from backend.relationships.state import ContactState, Interview

PRODID = "-//Rapport//Informational interviews//EN"
REFRESH = timedelta(hours=1)
REMINDER = timedelta(hours=1)
_FORMATS = {"phone": "Phone call", "video": "Video call", "in_person": "In person"}


def interview_event(
    interview: Interview,
    contact: ContactState,
    *,
    stamp: datetime | None = None,
    sequence: int | None = None,
) -> Event:
    """The VEVENT of one interview; `stamp` (DTSTAMP) defaults to now, pass one for stable output."""
    start = _utc(interview.starts_at)
    anonymous = contact.erased or contact.name == REDACTED or not contact.name.strip()
    summary = "Informational interview" if anonymous else f"Informational interview with {contact.name.strip()}"
    place = None if contact.erased else (interview.place or "").strip() or None
    description = [f"{_FORMATS.get(interview.format, 'Meeting')}, {interview.minutes} minutes."]
    if not contact.erased:
        # Title and organization are not sealed as personal data, but together with a date they can
        # still point at one person, so an erased contact's events carry neither.
        role = " at ".join(p for p in ((contact.title or "").strip(), (contact.organization or "").strip()) if p)
        if role:
            description.insert(0, role)
    description.append(
        "Prepare: research the person and their organization, and pick your questions. "
        "Be on time, take notes, and ask who else you should talk to."
    )
    event = Event.new(
        uid=f"{interview.interview_id}@rapport",
        stamp=_utc(stamp) if stamp is not None else datetime.now(UTC).replace(microsecond=0),
        start=start,
        end=start + timedelta(minutes=interview.minutes),
        summary=summary,
        location=place,
        description="\n".join(description),
        status=STATUS.CANCELLED if interview.status == "cancelled" else STATUS.CONFIRMED,
        sequence=sequence,
        url=place if place and place.startswith(("https://", "http://")) else None,
    )
    # A cancelled meeting must not still ring an hour before.
    if interview.status != "cancelled":
        event.add_component(Alarm.new_display(f"{summary} in 1 hour", -REMINDER))
    return event


def interview_ics(
    interview: Interview,
    contact: ContactState,
    *,
    stamp: datetime | None = None,
    sequence: int | None = None,
) -> bytes:
    """A complete calendar holding one interview, for "add to calendar"."""
    calendar = _calendar()
    calendar.add_component(interview_event(interview, contact, stamp=stamp, sequence=sequence))
    ical: bytes = calendar.to_ical()
    return ical


def feed_ics(
    items: Iterable[tuple[Interview, ContactState]],
    *,
    name: str = "Rapport interviews",
    stamp: datetime | None = None,
) -> bytes:
    """A subscribable calendar of many interviews; clients are asked to refresh it hourly."""
    calendar = _calendar()
    calendar.calendar_name = name
    # RFC 7986 gives REFRESH-INTERVAL no default value type, so VALUE=DURATION must be written;
    # X-PUBLISHED-TTL is the older spelling Outlook and Apple Calendar read.
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    now = _utc(stamp) if stamp is not None else datetime.now(UTC).replace(microsecond=0)
    for interview, contact in items:
        calendar.add_component(interview_event(interview, contact, stamp=now))
    ical: bytes = calendar.to_ical()
    return ical


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", "PUBLISH")
    return calendar


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("interview times must be timezone-aware")
    return at.astimezone(UTC)
