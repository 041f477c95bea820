"""Read models of students and their relationships, folded inline so the phone reads its own writes.

One projection owns every table it derives (students, contacts, interviews, agenda_items,
field_notes, student_activity, student_versions, student_summaries), so a rebuild replays them
together and the agenda is always computed with the calendar (time zone, country) the student has
at that point of the log. `student_summaries` is the exception that proves the rule: appends leave
it alone, and it is computed when read (readmodels/stats.py, SUMMARY_STATS); it is owned here so that a rebuild
swaps in an empty one, computed afresh on the next read.

Per batch: one query loads the stored states of the streams it touches, `evolve` folds the new
events in Python, and one statement writes every derived row. Each row remembers the stream
version it reflects, so replaying events it has already seen changes nothing (idempotent).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from backend.calendar import StudentCalendar
from backend.eventstore.projection import Mode, PyProjection
from backend.eventstore.types import Conn, RecordedEvent
from backend.relationships import agenda
from backend.relationships.events import (
    ContactAdded,
    InterviewHeld,
    NoteAdded,
    ReflectionRecorded,
    contact_event,
)
from backend.relationships.state import ContactState
from backend.relationships.state import evolve as evolve_contact
from backend.students.events import CONSENT_EVENTS, student_event
from backend.students.state import StudentState
from backend.students.state import evolve as evolve_student

TABLES = (
    "students",
    "contacts",
    "interviews",
    "agenda_items",
    "field_notes",
    "student_activity",
    "student_versions",
    "student_summaries",
)
ERASED_BODY: dict[str, Any] = {"erased": True}
ERASED_FROM = ("contacts", "interviews", "agenda_items", "field_notes")
"""The tables an erasure rewrites: vacuumed after it, so the erased values leave their files."""


def match_key(text: str | None) -> str | None:
    """How organizations and career fields are matched: case and spacing do not matter."""
    if text is None:
        return None
    folded = " ".join(text.split()).lower()
    return folded or None


def stream_uuid(stream_id: str) -> UUID:
    return UUID(hex=stream_id.split("-", 1)[1])


# The fields that say when a step happened (a request's sending time, an interview's holding time…).
_WHEN = (
    "sent_at",
    "held_at",
    "answered_at",
    "added_at",
    "received_at",
    "completed_at",
    "recorded_at",
    "noted_at",
    "archived_at",
    "restored_at",
    "erased_at",
    "registered_at",
)


def occurred_at(recorded: RecordedEvent) -> datetime:
    """When the step happened: the event's own time if it carries one, else when it was recorded.

    Activity per week counts steps when they happened, so a step logged late lands in its own week.
    """
    for name in _WHEN:
        value = getattr(recorded.event, name, None)
        if isinstance(value, datetime):
            return value
    return recorded.recorded_at


def week_of(day: date) -> date:
    """The Monday that starts `day`'s week."""
    return day - timedelta(days=day.weekday())


class _Contact:
    __slots__ = ("events", "state", "version")

    def __init__(self, state: ContactState, version: int) -> None:
        self.state = state
        self.version = version
        self.events: list[RecordedEvent] = []


class _Student:
    __slots__ = ("calendar_changed", "state", "student_id", "updated_at", "version")

    def __init__(self, student_id: UUID, state: StudentState, version: int) -> None:
        self.student_id = student_id
        self.state = state
        self.version = version
        self.calendar_changed = False
        self.updated_at: datetime | None = None  # set when this batch changed the student

    @property
    def calendar(self) -> StudentCalendar:
        return StudentCalendar(time_zone=self.state.time_zone, country=self.state.country)


# Contacts are found by their stream: its name is the student's and the contact's id (or, for streams
# named before ids were scoped, the contact's alone), and the row records it either way.
_LOAD = """
SELECT 'c' AS kind, stream_id AS stream, NULL::uuid AS id, version, state FROM {contacts}
WHERE stream_id = ANY ($1::text[])
UNION ALL
SELECT 's', NULL, student_id, version, profile FROM {students}
WHERE student_id = ANY ($2::uuid[])
   OR student_id IN (SELECT student_id FROM {contacts} WHERE stream_id = ANY ($1::text[]))
"""

_CONTACTS_OF = "SELECT stream_id, version, state FROM {contacts} WHERE student_id = ANY ($1::uuid[])"

# Every derived row, written by one statement. The agenda's DELETE and INSERT touch disjoint rows
# (keys that are gone, keys that are current), so they can share one snapshot.
_WRITE = """
WITH s AS (
    INSERT INTO {students} AS t (student_id, version, time_zone, country, profile, updated_at)
    SELECT x.student_id, x.version, x.time_zone, x.country, x.profile, x.updated_at
    FROM jsonb_to_recordset($1::jsonb) AS x(
        student_id uuid, version bigint, time_zone text, country text, profile jsonb, updated_at timestamptz)
    ON CONFLICT (student_id) DO UPDATE SET
        version = EXCLUDED.version, time_zone = EXCLUDED.time_zone, country = EXCLUDED.country,
        profile = EXCLUDED.profile, updated_at = EXCLUDED.updated_at
    WHERE EXCLUDED.version >= t.version
), c AS (
    INSERT INTO {contacts} AS t (
        contact_id, student_id, stream_id, version, state, name, title, organization, org_key, career_field, field_key,
        tags, stage, no_response_from, referred_by, referrals, archived, erased, added_at, last_activity_at,
        requested_at, next_action, next_due, search)
    SELECT x.contact_id, x.student_id, x.stream_id, x.version, x.state, x.name, x.title, x.organization, x.org_key,
           x.career_field, x.field_key, x.tags, x.stage, x.no_response_from, x.referred_by, x.referrals,
           x.archived, x.erased, x.added_at, x.last_activity_at, x.requested_at, x.next_action, x.next_due,
           setweight(to_tsvector('simple', x.name), 'A')
           || setweight(to_tsvector('simple', concat_ws(' ', x.organization, x.title, x.career_field,
                                                        array_to_string(x.tags, ' '))), 'B')
           || setweight(to_tsvector('simple', coalesce(x.notes, '')), 'C')
    FROM jsonb_to_recordset($2::jsonb) AS x(
        contact_id uuid, student_id uuid, stream_id text, version bigint, state jsonb, name text, title text,
        organization text, org_key text, career_field text, field_key text, tags text[], stage text,
        no_response_from date, referred_by uuid, referrals integer, archived boolean, erased boolean,
        added_at timestamptz, last_activity_at timestamptz, requested_at timestamptz, next_action text, next_due date,
        notes text)
    ON CONFLICT (student_id, contact_id) DO UPDATE SET
        version = EXCLUDED.version, state = EXCLUDED.state, name = EXCLUDED.name, title = EXCLUDED.title,
        organization = EXCLUDED.organization, org_key = EXCLUDED.org_key, career_field = EXCLUDED.career_field,
        field_key = EXCLUDED.field_key, tags = EXCLUDED.tags, stage = EXCLUDED.stage,
        no_response_from = EXCLUDED.no_response_from, referrals = EXCLUDED.referrals,
        archived = EXCLUDED.archived, erased = EXCLUDED.erased, last_activity_at = EXCLUDED.last_activity_at,
        requested_at = EXCLUDED.requested_at,
        next_action = EXCLUDED.next_action, next_due = EXCLUDED.next_due, search = EXCLUDED.search
    -- Only the contact's own stream moves its row (ids are the student's own: see service.py).
    WHERE EXCLUDED.version >= t.version AND t.stream_id = EXCLUDED.stream_id
), i AS (
    INSERT INTO {interviews} AS t (
        interview_id, contact_id, student_id, starts_at, minutes, format, place, status, held_at, thanked_at,
        thanked_on_time)
    SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(
        interview_id uuid, contact_id uuid, student_id uuid, starts_at timestamptz, minutes integer, format text,
        place text, status text, held_at timestamptz, thanked_at timestamptz, thanked_on_time boolean)
    ON CONFLICT (student_id, interview_id) DO UPDATE SET
        starts_at = EXCLUDED.starts_at, minutes = EXCLUDED.minutes, format = EXCLUDED.format,
        place = EXCLUDED.place, status = EXCLUDED.status, held_at = EXCLUDED.held_at,
        thanked_at = EXCLUDED.thanked_at, thanked_on_time = EXCLUDED.thanked_on_time
    -- An interview id is one interview of the student's: another contact's interview never takes its row.
    WHERE t.contact_id = EXCLUDED.contact_id
      AND (t.starts_at, t.minutes, t.format, t.place, t.status, t.held_at, t.thanked_at, t.thanked_on_time)
          IS DISTINCT FROM (EXCLUDED.starts_at, EXCLUDED.minutes, EXCLUDED.format, EXCLUDED.place, EXCLUDED.status,
                            EXCLUDED.held_at, EXCLUDED.thanked_at, EXCLUDED.thanked_on_time)
), gone AS (
    DELETE FROM {agenda_items} g USING jsonb_to_recordset($4::jsonb) AS x(student_id uuid, contact_id uuid)
    WHERE g.student_id = x.student_id AND g.contact_id = x.contact_id AND NOT (g.item_key = ANY ($5::text[]))
), a AS (
    INSERT INTO {agenda_items} AS t (
        item_key, student_id, contact_id, kind, reason, due, late_after, ref, org_key, anchor_at)
    SELECT * FROM jsonb_to_recordset($6::jsonb) AS x(
        item_key text, student_id uuid, contact_id uuid, kind text, reason text, due date, late_after date,
        ref uuid, org_key text, anchor_at timestamptz)
    ON CONFLICT (student_id, item_key) DO UPDATE SET
        reason = EXCLUDED.reason, due = EXCLUDED.due, late_after = EXCLUDED.late_after,
        org_key = EXCLUDED.org_key, anchor_at = EXCLUDED.anchor_at
    -- Most of a contact's items are unchanged by one event: leave those rows (and their indexes) alone.
    WHERE (t.reason, t.due, t.late_after, t.org_key, t.anchor_at)
          IS DISTINCT FROM (EXCLUDED.reason, EXCLUDED.due, EXCLUDED.late_after, EXCLUDED.org_key, EXCLUDED.anchor_at)
), n AS (
    INSERT INTO {field_notes} (note_key, student_id, contact_id, career_field, field_key, kind, at, body, search)
    SELECT x.note_key, x.student_id, x.contact_id, x.career_field, x.field_key, x.kind, x.at, x.body,
           to_tsvector('simple', x.text)
    FROM jsonb_to_recordset($7::jsonb) AS x(
        note_key text, student_id uuid, contact_id uuid, career_field text, field_key text, kind text,
        at timestamptz, body jsonb, text text)
    ON CONFLICT (student_id, note_key) DO NOTHING
), relabel AS (
    -- Notes follow their contact's current career field; erasure empties what the contact said.
    UPDATE {field_notes} f SET
        career_field = x.career_field, field_key = x.field_key,
        body = CASE WHEN x.erased AND f.kind <> 'reflection' THEN '{{"erased": true}}'::jsonb ELSE f.body END,
        search = CASE WHEN x.erased AND f.kind <> 'reflection' THEN ''::tsvector ELSE f.search END
    FROM jsonb_to_recordset($8::jsonb) AS x(
        student_id uuid, contact_id uuid, career_field text, field_key text, erased boolean)
    WHERE f.student_id = x.student_id AND f.contact_id = x.contact_id
      AND (f.career_field IS DISTINCT FROM x.career_field
           OR (x.erased AND f.kind <> 'reflection' AND f.body <> '{{"erased": true}}'::jsonb))
), activity AS (
    SELECT x.student_id, x.week, x.events
    FROM jsonb_to_recordset($9::jsonb) AS x(student_id uuid, week date, events integer)
), versions AS (
    -- Every event applied moves the student's version: what cached answers are tagged with.
    INSERT INTO {student_versions} AS t (student_id, version)
    SELECT student_id, sum(events) FROM activity GROUP BY student_id
    ON CONFLICT (student_id) DO UPDATE SET version = t.version + EXCLUDED.version
)
INSERT INTO {student_activity} AS t (student_id, week, events)
SELECT student_id, week, events FROM activity
ON CONFLICT (student_id, week) DO UPDATE SET events = t.events + EXCLUDED.events
"""


def _decode(kind: type[Any], value: Any) -> Any:
    return msgspec.convert(value, kind)


class _Batch:
    """One batch of events: the states it touches, folded, and every row they now derive."""

    def __init__(self, events: Sequence[RecordedEvent], tables: Mapping[str, str]) -> None:
        self.events = events
        self.tables = tables
        self.contacts: dict[str, _Contact] = {}  # by stream
        self.students: dict[UUID, _Student] = {}
        self.changed: set[str] = set()
        self.activity: dict[tuple[UUID, date], int] = defaultdict(int)

    async def load(self, conn: Conn) -> None:
        events = self.events
        streams = {e.stream_id for e in events if e.category == "contact"}
        student_ids = {stream_uuid(e.stream_id) for e in events if e.category == "student"}
        student_ids |= {e.event.student_id for e in events if isinstance(e.event, ContactAdded)}
        for row in await conn.fetch(_LOAD.format(**self.tables), list(streams), list(student_ids)):
            if row["kind"] == "c":
                self.contacts[row["stream"]] = _Contact(_decode(ContactState, row["state"]), row["version"])
            else:
                self.students[row["id"]] = _Student(row["id"], _decode(StudentState, row["state"]), row["version"])

    def fold_students(self) -> None:
        """Students first: a contact's agenda is computed with its student's calendar as of this batch."""
        for event in self.events:
            if event.category != "student":
                continue
            sid = stream_uuid(event.stream_id)
            student = self.students.setdefault(sid, _Student(sid, StudentState(), 0))
            if event.version <= student.version:
                continue
            before = (student.state.time_zone, student.state.country)
            student.state = evolve_student(student.state, student_event(event.event))
            student.version = event.version
            student.updated_at = event.recorded_at
            student.calendar_changed |= before != (student.state.time_zone, student.state.country)
            if isinstance(event.event, CONSENT_EVENTS):
                continue  # consent is not a step of the student's practice: no activity, same answers
            self.activity[(student.student_id, week_of(student.calendar.local_date(occurred_at(event))))] += 1

    def fold_contacts(self) -> None:
        for event in self.events:
            if event.category != "contact":
                continue
            contact = self.contacts.setdefault(event.stream_id, _Contact(ContactState(), 0))
            if event.version <= contact.version:
                continue
            contact.state = evolve_contact(contact.state, contact_event(event.event), event.recorded_at)
            contact.version = event.version
            contact.events.append(event)
            self.changed.add(event.stream_id)

    async def widen_for_new_calendars(self, conn: Conn) -> None:
        """A new time zone or country moves every due date of that student's contacts."""
        moved = [sid for sid, s in self.students.items() if s.calendar_changed]
        if not moved:
            return
        for row in await conn.fetch(_CONTACTS_OF.format(**self.tables), moved):
            if row["stream_id"] not in self.contacts:
                self.contacts[row["stream_id"]] = _Contact(_decode(ContactState, row["state"]), row["version"])
            self.changed.add(row["stream_id"])

    def calendar_of(self, student_id: UUID) -> StudentCalendar:
        owner = self.students.get(student_id)
        return owner.calendar if owner else StudentCalendar(time_zone="UTC", country="US")

    async def write(self, conn: Conn) -> None:
        contact_rows: list[dict[str, Any]] = []
        interview_rows: list[dict[str, Any]] = []
        agenda_rows: list[dict[str, Any]] = []
        notes: list[dict[str, Any]] = []
        relabels: list[dict[str, Any]] = []
        for stream in self.changed:
            contact = self.contacts[stream]
            state = contact.state
            if not state.exists or state.student_id is None:
                continue  # events before ContactAdded cannot happen; nothing to show if they did
            calendar = self.calendar_of(state.student_id)
            items = agenda.agenda_for(state, calendar)
            contact_rows.append(_contact_row(state, stream, contact.version, items, calendar))
            interview_rows.extend(_interview_rows(state, calendar))
            agenda_rows.extend(_agenda_row(state, item) for item in items)
            relabels.append(
                {
                    "student_id": state.student_id,
                    "contact_id": state.contact_id,
                    "career_field": state.career_field,
                    "field_key": match_key(state.career_field),
                    "erased": state.erased,
                }
            )
            notes.extend(_note_rows(state, contact.events))
            for event in contact.events:
                self.activity[(state.student_id, week_of(calendar.local_date(occurred_at(event))))] += 1
        student_rows = [
            {
                "student_id": sid,
                "version": s.version,
                "time_zone": s.state.time_zone,
                "country": s.state.country,
                "profile": s.state,
                "updated_at": s.updated_at,
            }
            for sid, s in self.students.items()
            if s.state.exists and s.updated_at is not None
        ]
        await conn.execute(
            _WRITE.format(**self.tables),
            student_rows,
            contact_rows,
            interview_rows,
            [{"student_id": r["student_id"], "contact_id": r["contact_id"]} for r in relabels],
            [row["item_key"] for row in agenda_rows],
            agenda_rows,
            notes,
            relabels,
            [{"student_id": s, "week": w, "events": n} for (s, w), n in self.activity.items()],
        )


async def apply(conn: Conn, events: Sequence[RecordedEvent], tables: Mapping[str, str]) -> None:
    """Fold a batch of student and contact events into every table this projection owns."""
    batch = _Batch(events, tables)
    await batch.load(conn)
    batch.fold_students()
    batch.fold_contacts()
    await batch.widen_for_new_calendars(conn)
    await batch.write(conn)


def _contact_row(
    state: ContactState, stream: str, version: int, items: Iterable[agenda.AgendaItem], calendar: StudentCalendar
) -> dict[str, Any]:
    # The next action is about this person; reaching out to someone else is listed, not headlined.
    own = [i for i in items if i.kind != "reach_out_same_org"]
    first = min(own, key=lambda i: i.due, default=None)
    return {
        "contact_id": state.contact_id,
        "student_id": state.student_id,
        "stream_id": stream,
        "version": version,
        "state": state,
        "name": state.name,
        "title": state.title,
        "organization": state.organization,
        "org_key": match_key(state.organization),
        "career_field": state.career_field,
        "field_key": match_key(state.career_field),
        "tags": list(state.tags),
        "stage": state.stage(),
        "no_response_from": agenda.no_response_from(state, calendar),
        "referred_by": state.referred_by,
        "referrals": len(state.referrals),
        "archived": state.archived,
        "erased": state.erased,
        "added_at": state.added_at,
        "last_activity_at": state.last_activity_at or state.added_at,
        "requested_at": state.requested_at,
        "next_action": first.reason if first else None,
        "next_due": first.due if first else None,
        "notes": state.notes,
    }


def _interview_rows(state: ContactState, calendar: StudentCalendar) -> list[dict[str, Any]]:
    return [
        {
            "interview_id": i.interview_id,
            "contact_id": state.contact_id,
            "student_id": state.student_id,
            "starts_at": i.starts_at,
            "minutes": i.minutes,
            "format": i.format,
            "place": i.place,
            "status": i.status,
            "held_at": i.held_at,
            "thanked_at": i.thanked_at,
            "thanked_on_time": agenda.thanked_on_time(i, calendar),
        }
        for i in state.interviews
    ]


def _agenda_row(state: ContactState, item: agenda.AgendaItem) -> dict[str, Any]:
    assert state.contact_id is not None  # noqa: S101 - only existing contacts have agendas
    return {
        "item_key": item.key(state.contact_id),
        "student_id": state.student_id,
        "contact_id": state.contact_id,
        "kind": item.kind,
        "reason": item.reason,
        "due": item.due,
        "late_after": item.late_after,
        "ref": item.ref,
        "org_key": match_key(state.organization),
        "anchor_at": item.anchor_at,
    }


def _note_rows(state: ContactState, events: Iterable[RecordedEvent]) -> list[dict[str, Any]]:
    """What people said (and what the student made of it), for comparing across a career field."""
    rows = []
    for recorded in events:
        event = recorded.event
        body: dict[str, Any]
        match event:
            case InterviewHeld():
                body = {
                    "notes": event.notes,
                    "keyTakeaways": event.key_takeaways,
                    "advice": event.advice,
                    "resources": event.resources,
                    "questionsAsked": event.questions_asked,
                    "fitSignal": event.fit_signal,
                }
                kind, at = "interview", event.held_at
                words = [event.notes, event.key_takeaways, event.advice, *event.resources]
            case NoteAdded():
                body, kind, at, words = {"text": event.text}, "note", event.noted_at, [event.text]
            case ReflectionRecorded():
                body = {"learned": event.learned, "nextSteps": event.next_steps}
                kind, at, words = "reflection", event.recorded_at, [event.learned, event.next_steps]
            case _:
                continue
        scrub = state.erased and kind != "reflection"
        rows.append(
            {
                "note_key": f"{recorded.stream_id}:{recorded.version}",
                "student_id": state.student_id,
                "contact_id": state.contact_id,
                "career_field": state.career_field,
                "field_key": match_key(state.career_field),
                "kind": kind,
                "at": at,
                "body": ERASED_BODY if scrub else body,
                "text": "" if scrub else " ".join(w for w in words if w),
            }
        )
    return rows


RELATIONSHIPS = PyProjection(
    name="relationships",
    mode=Mode.INLINE,
    tables=TABLES,
    categories=frozenset({"student", "contact"}),
    apply=apply,
)
