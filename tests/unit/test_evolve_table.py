"""Given/when/then on a contact's `evolve`: each event's exact effect on the whole state.

Every row folds a history, applies one event, and compares the whole state with the history's state
plus the row's effect, so a counter off by one, a field dropped or a `last_activity_at` that does not
move (or moves back) fails here rather than only in the API tier.
"""

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, cast
from uuid import UUID

import pytest
from msgspec.structs import replace

from backend.eventstore.events import REDACTED
from backend.relationships.events import (
    CONTACT_EVENTS,
    ActionItemAdded,
    ActionItemCompleted,
    ContactAdded,
    ContactArchived,
    ContactDetailsEdited,
    ContactErased,
    ContactEvent,
    ContactRestored,
    InterviewCancelled,
    InterviewHeld,
    InterviewRequested,
    InterviewRescheduled,
    InterviewScheduled,
    KeptInTouch,
    NoteAdded,
    ReferralReceived,
    ReflectionRecorded,
    RequestAnswered,
    RequestFollowedUp,
    ThanksSent,
)
from backend.relationships.state import ActionItem, ContactState, Interview, Referral, Stage, evolve, fold
from backend.students.events import GoalsSet

pytestmark = pytest.mark.unit

CONTACT = UUID(int=1)
STUDENT = UUID(int=2)
REFERRER = UUID(int=3)
REFERRED = UUID(int=4)
MEETING = UUID(int=10)
SECOND_MEETING = UUID(int=11)
ITEM = UUID(int=20)
OTHER_ITEM = UUID(int=21)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(days: int, hours: int = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


# Histories happen in days 0-4 and are recorded at HISTORY_RECORDED; the event under test happens on
# day 5 (WHEN) and is recorded on day 6 (RECORDED), so each row shows which of the two times it uses.
HISTORY_RECORDED = at(4, 12)
WHEN = at(5)
RECORDED = at(6)

ADDED = ContactAdded(
    contact_id=CONTACT,
    student_id=STUDENT,
    name="Ada Lovelace",
    title="Engineer",
    organization="Acme Labs",
    career_field="Software",
    email="ada@example.org",
    phone="+1 312 555 0100",
    linkedin_url="https://www.linkedin.com/in/ada",
    how_found="referral",
    referred_by=REFERRER,
    tags=["math", "engines"],
    notes="Met at the alumni fair",
    added_at=T0,
)
# Every field of ContactAdded lands in the state: nothing defaulted, nothing dropped.
ADDED_STATE = ContactState(
    exists=True,
    contact_id=CONTACT,
    student_id=STUDENT,
    name="Ada Lovelace",
    title="Engineer",
    organization="Acme Labs",
    career_field="Software",
    email="ada@example.org",
    phone="+1 312 555 0100",
    linkedin_url="https://www.linkedin.com/in/ada",
    how_found="referral",
    referred_by=REFERRER,
    tags=("math", "engines"),
    notes="Met at the alumni fair",
    added_at=T0,
    last_activity_at=T0,
)

REQUESTED = InterviewRequested(channel="email", format="video", minutes=20, message="Hello", sent_at=at(1))
FOLLOWED_UP = RequestFollowedUp(channel="linkedin", sent_at=at(2))
DECLINED = RequestAnswered(answer="declined", note="Too busy", answered_at=at(3))
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=at(3), minutes=30, format="video", place="Room 4")
INTERVIEW = Interview(interview_id=MEETING, starts_at=at(3), minutes=30, format="video", place="Room 4")
HELD = InterviewHeld(interview_id=MEETING, held_at=at(3, 1), minutes=35)
HELD_INTERVIEW = replace(INTERVIEW, status="held", held_at=at(3, 1), minutes=35)
SECOND_SCHEDULED = InterviewScheduled(interview_id=SECOND_MEETING, starts_at=at(4), minutes=20, format="phone")
SECOND_HELD = InterviewHeld(interview_id=SECOND_MEETING, held_at=at(4, 1), minutes=20)
SECOND_HELD_INTERVIEW = Interview(
    interview_id=SECOND_MEETING, starts_at=at(4), minutes=20, format="phone", status="held", held_at=at(4, 1)
)
THANKED_SECOND = ThanksSent(interview_id=SECOND_MEETING, sent_at=at(4, 2), channel="email", helpful_thing="The intro")
ITEM_ADDED = ActionItemAdded(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1))
OTHER_ITEM_ADDED = ActionItemAdded(item_id=OTHER_ITEM, what="Join the IEEE", due=date(2026, 4, 15))
ARCHIVED = ContactArchived(reason="moved on", archived_at=at(2))
MET = (ADDED, SCHEDULED, HELD)


def given(*events: ContactEvent) -> ContactState:
    return fold([(e, HISTORY_RECORDED) for e in events])


class Row(NamedTuple):
    name: str
    history: tuple[ContactEvent, ...]
    event: ContactEvent
    effect: dict[str, object]
    """Exactly the fields that change; every other field of the state stays as the history left it."""


ROWS = [
    Row(
        "details: recorded_at dates the edit",
        (ADDED,),
        ContactDetailsEdited(title="CTO"),
        {"title": "CTO", "last_activity_at": RECORDED},
    ),
    Row(
        "first request",
        (ADDED,),
        InterviewRequested(channel="phone", format="phone", minutes=15, sent_at=WHEN),
        {
            "requested_at": WHEN,
            "requests_count": 1,
            "request_format": "phone",
            "request_minutes": 15,
            "last_activity_at": WHEN,
        },
    ),
    Row(
        "a new request after a declined, followed-up one starts its answer over",
        (ADDED, REQUESTED, FOLLOWED_UP, DECLINED),
        InterviewRequested(channel="phone", format="in_person", minutes=25, sent_at=WHEN),
        {
            "requested_at": WHEN,
            "requests_count": 2,
            "request_format": "in_person",
            "request_minutes": 25,
            "followed_up_at": None,
            "answer": None,
            "answered_at": None,
            "last_activity_at": WHEN,
        },
    ),
    Row(
        "a new request after a meeting waits for a reply again",
        (ADDED, REQUESTED, *MET[1:]),
        InterviewRequested(channel="email", format="video", minutes=20, sent_at=WHEN),
        {"requested_at": WHEN, "requests_count": 2, "met_since_request": False, "last_activity_at": WHEN},
    ),
    Row(
        "follow-up",
        (ADDED, REQUESTED),
        RequestFollowedUp(channel="email", sent_at=WHEN),
        {"followed_up_at": WHEN, "last_activity_at": WHEN},
    ),
    Row(
        "an answer to a waiting request is a reply",
        (ADDED, REQUESTED),
        RequestAnswered(answer="accepted", answered_at=WHEN),
        {"answer": "accepted", "answered_at": WHEN, "replies_count": 1, "last_activity_at": WHEN},
    ),
    Row(
        "an answer after the meeting that already replied is not counted twice",
        (ADDED, REQUESTED, SCHEDULED),
        RequestAnswered(answer="accepted", answered_at=WHEN),
        {"answer": "accepted", "answered_at": WHEN, "last_activity_at": WHEN},
    ),
    Row(
        "a meeting that comes of a request is its reply",
        (ADDED, REQUESTED),
        SCHEDULED,
        {"interviews": (INTERVIEW,), "replies_count": 1, "met_since_request": True, "last_activity_at": RECORDED},
    ),
    Row(
        "a meeting without a request replies to nothing",
        (ADDED,),
        SCHEDULED,
        {"interviews": (INTERVIEW,), "met_since_request": True, "last_activity_at": RECORDED},
    ),
    Row(
        "reschedule",
        (ADDED, SCHEDULED),
        InterviewRescheduled(interview_id=MEETING, starts_at=at(9), minutes=45, by="student"),
        {"interviews": (replace(INTERVIEW, starts_at=at(9), minutes=45),), "last_activity_at": RECORDED},
    ),
    Row(
        "cancel",
        (ADDED, SCHEDULED),
        InterviewCancelled(interview_id=MEETING, reason="ill", by="contact"),
        {"interviews": (replace(INTERVIEW, status="cancelled"),), "last_activity_at": RECORDED},
    ),
    Row(
        "held, with the minutes it really took",
        (ADDED, SCHEDULED),
        InterviewHeld(interview_id=MEETING, held_at=WHEN, minutes=40),
        {
            "interviews": (replace(INTERVIEW, status="held", held_at=WHEN, minutes=40),),
            "last_activity_at": WHEN,
        },
    ),
    Row(
        "thanks for a named interview",
        MET,
        ThanksSent(interview_id=MEETING, sent_at=WHEN, channel="email", helpful_thing="The reading list"),
        {
            "thanks_count": 1,
            "last_thanks_at": WHEN,
            "last_helpful_thing": "The reading list",
            "interviews": (replace(HELD_INTERVIEW, thanked_at=WHEN),),
            "last_activity_at": WHEN,
        },
    ),
    Row(
        "thanks without an interview go to the last one held and not yet thanked",
        (*MET, SECOND_SCHEDULED, SECOND_HELD, THANKED_SECOND),
        ThanksSent(sent_at=WHEN, channel="email", helpful_thing="The advice"),
        {
            "thanks_count": 2,
            "last_thanks_at": WHEN,
            "last_helpful_thing": "The advice",
            "interviews": (
                replace(HELD_INTERVIEW, thanked_at=WHEN),
                replace(SECOND_HELD_INTERVIEW, thanked_at=at(4, 2)),
            ),
            "last_activity_at": WHEN,
        },
    ),
    Row(
        "thanks again once every interview was thanked mark none of them",
        (*MET, ThanksSent(sent_at=at(4), channel="email", helpful_thing="The intro")),
        ThanksSent(sent_at=WHEN, channel="phone", helpful_thing="The book"),
        {"thanks_count": 2, "last_thanks_at": WHEN, "last_helpful_thing": "The book", "last_activity_at": WHEN},
    ),
    Row(
        "referral",
        MET,
        ReferralReceived(
            referred_contact_id=REFERRED, referred_stream="contact-x", referred_name="Grace", received_at=WHEN
        ),
        {"referrals": (Referral(contact_id=REFERRED, received_at=WHEN),), "last_activity_at": WHEN},
    ),
    Row(
        "action item: recorded_at dates it",
        MET,
        ITEM_ADDED,
        {
            "action_items": (ActionItem(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1)),),
            "last_activity_at": RECORDED,
        },
    ),
    Row(
        "completing one action item leaves the other",
        (*MET, ITEM_ADDED, OTHER_ITEM_ADDED),
        ActionItemCompleted(item_id=ITEM, completed_at=WHEN),
        {
            "action_items": (
                ActionItem(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1), completed_at=WHEN),
                ActionItem(item_id=OTHER_ITEM, what="Join the IEEE", due=date(2026, 4, 15)),
            ),
            "last_activity_at": WHEN,
        },
    ),
    Row(
        "reflection",
        MET,
        ReflectionRecorded(learned="Plenty", recorded_at=WHEN),
        {"reflections": 1, "last_activity_at": WHEN},
    ),
    Row(
        "a second reflection",
        (*MET, ReflectionRecorded(learned="Plenty", recorded_at=at(4))),
        ReflectionRecorded(learned="More", recorded_at=WHEN),
        {"reflections": 2, "last_activity_at": WHEN},
    ),
    Row(
        "kept in touch",
        MET,
        KeptInTouch(sent_at=WHEN, shared="The job offer"),
        {"kept_in_touch_at": WHEN, "last_activity_at": WHEN},
    ),
    Row(
        "note",
        (ADDED,),
        NoteAdded(text="Likes chess", noted_at=WHEN),
        {"notes_count": 1, "last_activity_at": WHEN},
    ),
    Row(
        "a second note",
        (ADDED, NoteAdded(text="Likes chess", noted_at=at(1))),
        NoteAdded(text="Plays go too", noted_at=WHEN),
        {"notes_count": 2, "last_activity_at": WHEN},
    ),
    Row("archive", (ADDED,), ContactArchived(archived_at=WHEN), {"archived": True, "last_activity_at": WHEN}),
    Row(
        "restore",
        (ADDED, ARCHIVED),
        ContactRestored(restored_at=WHEN),
        {"archived": False, "last_activity_at": WHEN},
    ),
    Row(
        # Erasure is not activity: last_activity_at stays where the relationship left it.
        "erase",
        MET,
        ContactErased(erased_at=WHEN),
        {
            "erased": True,
            "name": REDACTED,
            "email": None,
            "phone": None,
            "linkedin_url": None,
            "notes": None,
            "interviews": (replace(HELD_INTERVIEW, place=None),),
        },
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_each_event_changes_exactly_these_fields(row: Row) -> None:
    before = given(*row.history)
    assert evolve(before, row.event, RECORDED) == replace(before, **row.effect)


def test_the_table_has_a_row_for_every_event_of_a_contact() -> None:
    # ContactAdded has its own tests below: it starts the state rather than changing one.
    assert {type(row.event) for row in ROWS} | {ContactAdded} == set(CONTACT_EVENTS)


# -- ContactAdded --------------------------------------------------------------------------------


def test_a_contact_added_with_every_field_is_the_whole_state() -> None:
    assert evolve(ContactState(), ADDED, RECORDED) == ADDED_STATE


def test_a_sparse_contact_added_leaves_the_optional_fields_empty() -> None:
    sparse = ContactAdded(contact_id=CONTACT, student_id=STUDENT, name="Ada", how_found="cold", added_at=T0)
    assert evolve(ContactState(), sparse, RECORDED) == ContactState(
        exists=True,
        contact_id=CONTACT,
        student_id=STUDENT,
        name="Ada",
        how_found="cold",
        added_at=T0,
        last_activity_at=T0,
    )


# -- editing details -----------------------------------------------------------------------------


def test_an_edit_sets_changed_fields_and_an_empty_string_clears_an_optional_one() -> None:
    edit = ContactDetailsEdited(
        name="Ada King",
        title="CTO",
        organization="",
        career_field="Robotics",
        email="",
        phone="+44 20 7946 0000",
        linkedin_url="",
        notes="",
        tags=["history"],
    )
    assert evolve(ADDED_STATE, edit, RECORDED) == replace(
        ADDED_STATE,
        name="Ada King",
        title="CTO",
        organization=None,
        career_field="Robotics",
        email=None,
        phone="+44 20 7946 0000",
        linkedin_url=None,
        notes=None,
        tags=("history",),
        last_activity_at=RECORDED,
    )


def test_an_edit_leaves_omitted_fields_and_never_clears_the_name() -> None:
    # decide never sends an empty name (names are non-blank); a stored one keeps the name it had.
    edit = ContactDetailsEdited(name="", tags=[])
    assert evolve(ADDED_STATE, edit, RECORDED) == replace(ADDED_STATE, tags=(), last_activity_at=RECORDED)


# -- last_activity_at ----------------------------------------------------------------------------


def test_an_event_dated_before_the_last_activity_does_not_move_it_back() -> None:
    before = given(ADDED, NoteAdded(text="Likes chess", noted_at=WHEN))
    late_log = KeptInTouch(sent_at=at(1))
    assert evolve(before, late_log, RECORDED) == replace(before, kept_in_touch_at=at(1))


def test_an_event_without_a_time_of_its_own_or_a_recorded_time_leaves_it() -> None:
    assert evolve(ADDED_STATE, ITEM_ADDED, None) == replace(
        ADDED_STATE, action_items=(ActionItem(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1)),)
    )


def test_fold_dates_events_by_the_time_they_were_recorded() -> None:
    assert fold([(ADDED, T0), (ITEM_ADDED, RECORDED)]) == replace(
        ADDED_STATE,
        action_items=(ActionItem(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1)),),
        last_activity_at=RECORDED,
    )


# -- erasure -------------------------------------------------------------------------------------


def test_erasure_clears_every_personal_field_and_keeps_dates_stages_and_counts() -> None:
    history = (
        ADDED,
        REQUESTED,
        SCHEDULED,
        HELD,
        ThanksSent(interview_id=MEETING, sent_at=at(4), channel="email", helpful_thing="The reading list"),
        ReferralReceived(
            referred_contact_id=REFERRED, referred_stream="contact-x", referred_name="Grace", received_at=at(4)
        ),
        ITEM_ADDED,
        NoteAdded(text="Likes chess", noted_at=at(4)),
        ReflectionRecorded(learned="Plenty", recorded_at=at(4)),
        KeptInTouch(sent_at=at(4), shared="News"),
    )
    erased = evolve(given(*history), ContactErased(erased_at=WHEN), RECORDED)
    assert erased == ContactState(
        exists=True,
        contact_id=CONTACT,
        student_id=STUDENT,
        name=REDACTED,
        title="Engineer",
        organization="Acme Labs",
        career_field="Software",
        email=None,
        phone=None,
        linkedin_url=None,
        how_found="referral",
        referred_by=REFERRER,
        tags=("math", "engines"),
        notes=None,
        added_at=T0,
        requested_at=at(1),
        requests_count=1,
        replies_count=1,
        request_format="video",
        request_minutes=20,
        met_since_request=True,
        interviews=(replace(HELD_INTERVIEW, place=None, thanked_at=at(4)),),
        thanks_count=1,
        last_thanks_at=at(4),
        last_helpful_thing=None,
        referrals=(Referral(contact_id=REFERRED, received_at=at(4)),),
        action_items=(ActionItem(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1)),),
        reflections=1,
        kept_in_touch_at=at(4),
        notes_count=1,
        erased=True,
        last_activity_at=HISTORY_RECORDED,
    )
    assert erased.stage() == "thanked"


# -- stage ---------------------------------------------------------------------------------------

ANSWERED = RequestAnswered(answer="accepted", answered_at=at(2))
THANKED = ThanksSent(interview_id=MEETING, sent_at=at(4), channel="email", helpful_thing="The advice")
CANCELLED = InterviewCancelled(interview_id=MEETING, by="contact")


@pytest.mark.parametrize(
    ("history", "no_response", "stage"),
    [
        ((ADDED,), False, "identified"),
        ((ADDED,), True, "identified"),
        ((ADDED, REQUESTED), False, "requested"),
        ((ADDED, REQUESTED, FOLLOWED_UP), True, "no_response"),
        # Accepted but not yet scheduled: still at the request, and an answer is never "no response".
        ((ADDED, REQUESTED, ANSWERED), True, "requested"),
        ((ADDED, REQUESTED, DECLINED), False, "declined"),
        ((ADDED, REQUESTED, DECLINED), True, "declined"),
        ((ADDED, REQUESTED, SCHEDULED), True, "scheduled"),
        ((ADDED, SCHEDULED, CANCELLED), False, "identified"),
        ((ADDED, REQUESTED, SCHEDULED, CANCELLED), True, "requested"),
        ((*MET,), False, "interviewed"),
        ((*MET, SECOND_SCHEDULED), False, "interviewed"),
        ((*MET, THANKED), False, "thanked"),
        ((*MET, THANKED, ARCHIVED), False, "archived"),
        ((ADDED, REQUESTED, FOLLOWED_UP, ARCHIVED), True, "archived"),
        ((ADDED, ARCHIVED, ContactRestored(restored_at=at(3))), False, "identified"),
    ],
)
def test_every_stage_from_a_history(history: tuple[ContactEvent, ...], no_response: bool, stage: Stage) -> None:
    assert given(*history).stage(no_response=no_response) == stage


def test_a_stage_is_not_no_response_unless_the_agenda_says_so() -> None:
    assert given(ADDED, REQUESTED, FOLLOWED_UP).stage() == "requested"


# -- exhaustiveness ------------------------------------------------------------------------------


def test_an_event_of_another_stream_is_not_silently_ignored() -> None:
    # mypy refuses this call; at run time the fold's assert_never still stops it, naming the event.
    stray = cast(ContactEvent, GoalsSet(interviews_per_month=1, requests_per_week=1))
    with pytest.raises(AssertionError, match=r"but got: GoalsSet\("):
        evolve(ADDED_STATE, stray, RECORDED)
