"""The agenda rules of product.md on fixed dates: each item, its due date, and what removes it."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from backend.calendar import StudentCalendar
from backend.eventstore.events import Event
from backend.relationships.agenda import AgendaItem, agenda_for, no_response_from, thanked_on_time
from backend.relationships.events import (
    ActionItemAdded,
    ActionItemCompleted,
    Answer,
    ContactAdded,
    ContactArchived,
    ContactErased,
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
from backend.relationships.state import ContactState, Interview, fold

pytestmark = pytest.mark.unit

NEW_YORK = StudentCalendar(time_zone="America/New_York", country="US")
AUCKLAND = StudentCalendar(time_zone="Pacific/Auckland", country="NZ")
UTC_US = StudentCalendar(time_zone="UTC", country="US")

CONTACT = UUID(int=1)
STUDENT = UUID(int=2)
REFERRER = UUID(int=3)
REFERRED = UUID(int=4)
FIRST = UUID(int=10)
SECOND = UUID(int=11)
ITEM = UUID(int=20)
OTHER_ITEM = UUID(int=21)


def ny(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time in New York (where most of these students live)."""
    return datetime.fromisoformat(f"{day}T{hour:02}:{minute:02}").replace(tzinfo=NEW_YORK.zone)


def added(
    at: datetime | None = None, *, organization: str | None = "Acme Labs", referred_by: UUID | None = None
) -> ContactAdded:
    return ContactAdded(
        contact_id=CONTACT,
        student_id=STUDENT,
        name="Ada Lovelace",
        organization=organization,
        how_found="referral" if referred_by else "alumni",
        referred_by=referred_by,
        added_at=at or ny("2026-02-27"),
    )


def requested(at: datetime) -> InterviewRequested:
    return InterviewRequested(channel="email", format="video", minutes=20, sent_at=at)


def scheduled(at: datetime, interview_id: UUID = FIRST) -> InterviewScheduled:
    return InterviewScheduled(interview_id=interview_id, starts_at=at, minutes=30, format="video")


def held(at: datetime, interview_id: UUID = FIRST) -> InterviewHeld:
    return InterviewHeld(interview_id=interview_id, held_at=at, minutes=30)


def thanks(at: datetime, interview_id: UUID | None = FIRST) -> ThanksSent:
    return ThanksSent(interview_id=interview_id, sent_at=at, channel="email", helpful_thing="the reading list")


def referral(at: datetime) -> ReferralReceived:
    return ReferralReceived(
        referred_contact_id=REFERRED,
        referred_stream=f"contact-{STUDENT.hex}.{REFERRED.hex}",
        referred_name="Grace Hopper",
        received_at=at,
    )


def given(*events: Event) -> ContactState:
    # Events that carry no time of their own are recorded "now"; no rule here depends on it.
    return fold([(e, datetime(2026, 3, 1, tzinfo=UTC)) for e in events])


def then(state: ContactState, calendar: StudentCalendar = NEW_YORK) -> list[tuple[str, date]]:
    return [(i.kind, i.due) for i in agenda_for(state, calendar)]


def only(state: ContactState, kind: str, calendar: StudentCalendar = NEW_YORK) -> AgendaItem:
    found = [i for i in agenda_for(state, calendar) if i.kind == kind]
    assert len(found) == 1, found
    return found[0]


# -- no items ------------------------------------------------------------------------------------


def test_no_items_for_a_contact_that_does_not_exist() -> None:
    assert agenda_for(ContactState(), NEW_YORK) == []


def test_a_new_contact_has_nothing_to_do_yet() -> None:
    assert then(given(added())) == []


def test_archived_and_erased_contacts_have_no_items_and_restoring_brings_them_back() -> None:
    busy = (added(), requested(ny("2026-03-02")))
    assert then(given(*busy)) != []
    archived = (*busy, ContactArchived(archived_at=ny("2026-03-03")))
    assert then(given(*archived)) == []
    restored = given(*archived, ContactRestored(restored_at=ny("2026-03-04")))
    assert then(restored) == [("reach_out_same_org", date(2026, 3, 5)), ("follow_up", date(2026, 3, 11))]
    assert then(given(*busy, ContactErased(erased_at=ny("2026-03-03")))) == []


# -- a request waiting for an answer -------------------------------------------------------------


def test_request_on_a_monday_follow_up_after_7_business_days_and_someone_else_after_3() -> None:
    sent = ny("2026-03-02", 9, 30)
    state = given(added(), requested(sent))
    assert then(state) == [("reach_out_same_org", date(2026, 3, 5)), ("follow_up", date(2026, 3, 11))]
    follow = only(state, "follow_up")
    assert follow.late_after == follow.due
    assert follow.anchor_at == sent
    assert follow.ref is None
    assert "Ada Lovelace" in follow.reason
    assert "Mon 2 Mar" in follow.reason
    same_org = only(state, "reach_out_same_org")
    assert "Acme Labs" in same_org.reason
    assert same_org.anchor_at == sent
    assert same_org.ref is None
    assert same_org.late_after == same_org.due


def test_request_on_a_friday_skips_the_weekend() -> None:
    state = given(added(), requested(ny("2026-03-06", 16)))
    assert then(state) == [("reach_out_same_org", date(2026, 3, 11)), ("follow_up", date(2026, 3, 17))]


def test_request_before_thanksgiving_skips_the_holiday() -> None:
    # Wednesday 25 November 2026; Thursday the 26th is Thanksgiving.
    state = given(added(), requested(ny("2026-11-25")))
    assert then(state) == [("reach_out_same_org", date(2026, 12, 1)), ("follow_up", date(2026, 12, 7))]


def test_request_in_auckland_counts_from_the_local_date() -> None:
    # 20:00 UTC on Thursday 5 March is 09:00 on Friday 6 March in Auckland.
    sent = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    state = given(added(), requested(sent))
    assert then(state, AUCKLAND) == [("reach_out_same_org", date(2026, 3, 11)), ("follow_up", date(2026, 3, 17))]
    assert "Fri 6 Mar" in only(state, "follow_up", AUCKLAND).reason
    # The same moment, counted in UTC, is a Thursday.
    assert then(state, UTC_US) == [("reach_out_same_org", date(2026, 3, 10)), ("follow_up", date(2026, 3, 16))]


def test_no_organization_no_one_else_to_reach_out_to() -> None:
    state = given(added(organization=None), requested(ny("2026-03-02")))
    assert then(state) == [("follow_up", date(2026, 3, 11))]


def test_following_up_removes_the_follow_up_but_not_the_search_for_someone_else() -> None:
    state = given(added(), requested(ny("2026-03-02")), RequestFollowedUp(channel="email", sent_at=ny("2026-03-11")))
    assert then(state) == [("reach_out_same_org", date(2026, 3, 5))]


@pytest.mark.parametrize("answer", ["accepted", "declined"])
def test_an_answer_removes_both_request_items(answer: Answer) -> None:
    state = given(
        added(),
        requested(ny("2026-03-02")),
        RequestAnswered(answer=answer, answered_at=ny("2026-03-04")),
    )
    assert then(state) == []


def test_a_meeting_is_an_answer_too() -> None:
    state = given(added(), requested(ny("2026-03-02")), scheduled(ny("2026-03-10", 14)))
    assert [kind for kind, _ in then(state)] == ["prepare"]


# -- before and after the interview ------------------------------------------------------------


def test_prepare_the_day_before_late_on_the_day() -> None:
    starts = ny("2026-03-10", 14)
    state = given(added(), scheduled(starts))
    item = only(state, "prepare")
    assert (item.due, item.late_after) == (date(2026, 3, 9), date(2026, 3, 10))
    assert item.ref == FIRST
    assert item.anchor_at == starts
    assert "Tue 10 Mar at 14:00" in item.reason
    assert "Acme Labs" in item.reason


def test_prepare_on_monday_for_a_tuesday_in_auckland() -> None:
    # 21:00 UTC on Monday 9 March is 10:00 on Tuesday 10 March in Auckland.
    state = given(added(), scheduled(datetime(2026, 3, 9, 21, 0, tzinfo=UTC)))
    item = only(state, "prepare", AUCKLAND)
    assert (item.due, item.late_after) == (date(2026, 3, 9), date(2026, 3, 10))
    assert "Tue 10 Mar at 10:00" in item.reason
    assert only(state, "prepare", UTC_US).due == date(2026, 3, 8)


def test_rescheduling_moves_preparation_and_cancelling_removes_it() -> None:
    moved = given(
        added(),
        scheduled(ny("2026-03-10", 14)),
        InterviewRescheduled(interview_id=FIRST, starts_at=ny("2026-03-20", 9), minutes=30, by="contact"),
    )
    assert then(moved) == [("prepare", date(2026, 3, 19))]
    cancelled = given(added(), scheduled(ny("2026-03-10", 14)), InterviewCancelled(interview_id=FIRST, by="student"))
    assert then(cancelled) == []


def test_once_held_thank_them_and_log_who_they_suggested() -> None:
    # Held on Friday 13 March: thanks due Monday, late after Tuesday.
    met = ny("2026-03-13", 11)
    state = given(added(), scheduled(ny("2026-03-13", 10, 30)), held(met))
    assert then(state) == [("log_referral", date(2026, 3, 16)), ("send_thanks", date(2026, 3, 16))]
    thank = only(state, "send_thanks")
    assert (thank.late_after, thank.ref, thank.anchor_at) == (date(2026, 3, 17), FIRST, met)
    assert "Fri 13 Mar" in thank.reason
    log = only(state, "log_referral")
    assert (log.late_after, log.ref, log.anchor_at) == (date(2026, 3, 17), None, met)
    assert "Ada Lovelace" in log.reason


def test_thanks_before_thanksgiving() -> None:
    state = given(added(), scheduled(ny("2026-11-25", 9)), held(ny("2026-11-25", 10)))
    thank = only(state, "send_thanks")
    assert (thank.due, thank.late_after) == (date(2026, 11, 27), date(2026, 11, 30))


def test_thanks_counted_in_auckland() -> None:
    # 22:00 UTC on Thursday 12 March is Friday 13 March in Auckland: thanks due Monday 16.
    state = given(
        added(), scheduled(datetime(2026, 3, 12, 21, 0, tzinfo=UTC)), held(datetime(2026, 3, 12, 22, 0, tzinfo=UTC))
    )
    thank = only(state, "send_thanks", AUCKLAND)
    assert (thank.due, thank.late_after) == (date(2026, 3, 16), date(2026, 3, 17))
    assert only(state, "send_thanks", UTC_US).due == date(2026, 3, 13)


def test_thanks_remove_the_thank_you_and_a_referral_removes_the_log() -> None:
    base = (added(), scheduled(ny("2026-03-13", 10)), held(ny("2026-03-13", 11)))
    thanked = (*base, thanks(ny("2026-03-14")))
    # The referral is still to log, in the window of the thanks just sent; staying in touch starts.
    assert then(given(*thanked)) == [("log_referral", date(2026, 3, 16)), ("keep_in_touch", date(2026, 6, 12))]
    # Thanks that name no interview thank the last one held.
    assert [kind for kind, _ in then(given(*base, thanks(ny("2026-03-14"), None)))] == [
        "log_referral",
        "keep_in_touch",
    ]
    referred = given(*thanked, referral(ny("2026-03-14", 12)))
    assert [kind for kind, _ in then(referred)] == ["keep_in_touch"]


def test_log_referral_goes_with_the_first_thanks_still_owed() -> None:
    base = (
        added(),
        scheduled(ny("2026-03-13", 10)),
        held(ny("2026-03-13", 11)),
        scheduled(ny("2026-03-25", 10), SECOND),
        held(ny("2026-03-25", 11), SECOND),
    )
    assert then(given(*base)) == [
        ("log_referral", date(2026, 3, 16)),
        ("send_thanks", date(2026, 3, 16)),
        ("send_thanks", date(2026, 3, 26)),
    ]
    first_thanked = given(*base, thanks(ny("2026-03-26"), FIRST))
    assert then(first_thanked) == [
        ("log_referral", date(2026, 3, 26)),
        ("send_thanks", date(2026, 3, 26)),
        ("keep_in_touch", date(2026, 6, 24)),
    ]
    assert only(first_thanked, "send_thanks").ref == SECOND
    # All thanked: the log is due with the last interview's thanks.
    all_thanked = given(*base, thanks(ny("2026-03-26"), FIRST), thanks(ny("2026-03-26"), SECOND))
    log = only(all_thanked, "log_referral")
    assert (log.due, log.anchor_at) == (date(2026, 3, 26), ny("2026-03-25", 11))


# -- a referred person ---------------------------------------------------------------------------


def test_reach_out_to_a_referred_person_within_2_business_days() -> None:
    arrived = ny("2026-03-06", 15)  # a Friday
    state = given(added(arrived, referred_by=REFERRER))
    item = only(state, "contact_referral")
    assert (item.due, item.late_after, item.anchor_at, item.ref) == (
        date(2026, 3, 10),
        date(2026, 3, 10),
        arrived,
        None,
    )
    assert "Ada Lovelace" in item.reason
    assert "referred" in item.reason


def test_requesting_an_interview_answers_the_referral() -> None:
    state = given(added(ny("2026-03-06"), referred_by=REFERRER), requested(ny("2026-03-09")))
    assert "contact_referral" not in [kind for kind, _ in then(state)]
    assert [kind for kind, _ in then(state)] == ["reach_out_same_org", "follow_up"]


def test_meeting_a_referred_person_without_a_request_answers_the_referral_too() -> None:
    state = given(added(ny("2026-03-06"), referred_by=REFERRER), scheduled(ny("2026-03-12", 14)))
    assert [kind for kind, _ in then(state)] == ["prepare"]


def test_a_person_found_another_way_is_no_referral() -> None:
    assert then(given(added(ny("2026-03-06")))) == []


# -- promises and staying in touch ---------------------------------------------------------------


def test_open_action_items_are_due_on_their_date_until_done() -> None:
    met = ny("2026-03-13", 11)
    base = (
        added(),
        scheduled(ny("2026-03-13", 10)),
        held(met),
        thanks(ny("2026-03-14")),
        referral(ny("2026-03-14")),
        ActionItemAdded(item_id=ITEM, what="Read 'The Mythical Man-Month'", due=date(2026, 4, 1)),
        ActionItemAdded(item_id=OTHER_ITEM, what="Join the ACM", due=date(2026, 3, 20)),
    )
    state = given(*base)
    items = [i for i in agenda_for(state, NEW_YORK) if i.kind == "action_item"]
    assert [(i.ref, i.due, i.late_after) for i in items] == [
        (OTHER_ITEM, date(2026, 3, 20), date(2026, 3, 20)),
        (ITEM, date(2026, 4, 1), date(2026, 4, 1)),
    ]
    assert "Join the ACM" in items[0].reason
    assert items[0].anchor_at == met
    done = given(*base, ActionItemCompleted(item_id=OTHER_ITEM, completed_at=ny("2026-03-18")))
    assert [i.ref for i in agenda_for(done, NEW_YORK) if i.kind == "action_item"] == [ITEM]


def test_an_action_item_without_an_interview_counts_from_the_contact() -> None:
    state = given(added(ny("2026-02-27")), ActionItemAdded(item_id=ITEM, what="Send the article", due=date(2026, 3, 3)))
    item = only(state, "action_item")
    assert (item.due, item.anchor_at) == (date(2026, 3, 3), ny("2026-02-27"))


def test_keep_in_touch_90_days_after_the_last_touch() -> None:
    base = (
        added(),
        scheduled(ny("2026-03-13", 10)),
        held(ny("2026-03-13", 11)),
        thanks(ny("2026-03-16", 20)),
        referral(ny("2026-03-16", 21)),
    )
    item = only(given(*base), "keep_in_touch")
    assert (item.due, item.late_after, item.anchor_at) == (date(2026, 6, 14), date(2026, 6, 14), ny("2026-03-16", 20))
    assert "Mon 16 Mar 2026" in item.reason
    # An update resets the clock; a note is not a touch.
    update = given(*base, NoteAdded(text="met at a talk", noted_at=ny("2026-04-20")))
    assert only(update, "keep_in_touch").due == date(2026, 6, 14)
    touched = given(*base, KeptInTouch(sent_at=ny("2026-05-01"), shared="I joined the ACM"))
    assert only(touched, "keep_in_touch").due == date(2026, 7, 30)
    # A new meeting on the calendar is better than an update.
    again = given(*base, scheduled(ny("2026-06-01", 10), SECOND))
    assert [kind for kind, _ in then(again)] == ["prepare"]


def test_no_keep_in_touch_before_thanks() -> None:
    state = given(added(), scheduled(ny("2026-03-13", 10)), held(ny("2026-03-13", 11)), referral(ny("2026-03-13", 12)))
    assert [kind for kind, _ in then(state)] == ["send_thanks"]


def test_items_sorted_by_due_then_kind() -> None:
    state = given(
        added(),
        scheduled(ny("2026-03-13", 10)),
        held(ny("2026-03-13", 11)),
        ActionItemAdded(item_id=ITEM, what="Join the ACM", due=date(2026, 3, 16)),
        ActionItemAdded(item_id=OTHER_ITEM, what="Read a book", due=date(2026, 3, 14)),
    )
    assert then(state) == [
        ("action_item", date(2026, 3, 14)),
        ("action_item", date(2026, 3, 16)),
        ("log_referral", date(2026, 3, 16)),
        ("send_thanks", date(2026, 3, 16)),
    ]


def test_item_keys_name_the_contact_the_kind_and_the_reference() -> None:
    state = given(added(), scheduled(ny("2026-03-10", 14)))
    assert only(state, "prepare").key(CONTACT) == f"{CONTACT.hex}:prepare:{FIRST.hex}"
    follow = only(given(added(), requested(ny("2026-03-02"))), "follow_up")
    assert follow.key(CONTACT) == f"{CONTACT.hex}:follow_up:-"


# -- no response ---------------------------------------------------------------------------------


def test_no_response_7_business_days_after_the_follow_up() -> None:
    base = (added(), requested(ny("2026-03-02")))
    assert no_response_from(given(*base), NEW_YORK) is None
    followed = (*base, RequestFollowedUp(channel="email", sent_at=ny("2026-03-16")))
    assert no_response_from(given(*followed), NEW_YORK) == date(2026, 3, 25)
    answered = given(*followed, RequestAnswered(answer="declined", answered_at=ny("2026-03-17")))
    assert no_response_from(answered, NEW_YORK) is None
    assert no_response_from(given(*followed, scheduled(ny("2026-03-30"))), NEW_YORK) is None


def test_no_response_skips_holidays_and_counts_in_the_students_zone() -> None:
    # Follow-up on the Wednesday before Thanksgiving: without the holiday it would be Friday 4 December.
    state = given(added(), requested(ny("2026-11-16")), RequestFollowedUp(channel="email", sent_at=ny("2026-11-25")))
    assert no_response_from(state, NEW_YORK) == date(2026, 12, 7)
    # Thursday 12 March at 21:00 in New York is already Friday in UTC.
    state = given(
        added(), requested(ny("2026-03-02")), RequestFollowedUp(channel="email", sent_at=ny("2026-03-12", 21))
    )
    assert no_response_from(state, NEW_YORK) == date(2026, 3, 23)
    assert no_response_from(state, UTC_US) == date(2026, 3, 24)


def test_stage_turns_no_response_with_the_agenda_clock() -> None:
    state = given(added(), requested(ny("2026-03-02")), RequestFollowedUp(channel="email", sent_at=ny("2026-03-16")))
    first_day = no_response_from(state, NEW_YORK)
    assert first_day is not None
    assert state.stage(no_response=date(2026, 3, 24) >= first_day) == "requested"
    assert state.stage(no_response=date(2026, 3, 25) >= first_day) == "no_response"


# -- thanked on time -----------------------------------------------------------------------------


def interview(held_at: datetime | None, thanked_at: datetime | None, status: str = "held") -> Interview:
    return Interview(
        interview_id=FIRST,
        starts_at=held_at or ny("2026-03-13"),
        minutes=30,
        format="video",
        status=status,  # type: ignore[arg-type]
        held_at=held_at,
        thanked_at=thanked_at,
    )


def test_thanked_on_time_within_2_business_days() -> None:
    friday = ny("2026-03-13", 11)
    assert thanked_on_time(interview(friday, ny("2026-03-13", 18)), NEW_YORK) is True
    assert thanked_on_time(interview(friday, ny("2026-03-15", 18)), NEW_YORK) is True  # Sunday
    assert thanked_on_time(interview(friday, ny("2026-03-17", 23, 59)), NEW_YORK) is True  # Tuesday
    assert thanked_on_time(interview(friday, ny("2026-03-18", 8)), NEW_YORK) is False  # Wednesday


def test_thanked_on_time_skips_holidays() -> None:
    # Held on the Wednesday before Thanksgiving: Friday and Monday are the two business days.
    wednesday = ny("2026-11-25", 11)
    assert thanked_on_time(interview(wednesday, ny("2026-11-30", 17)), NEW_YORK) is True
    assert thanked_on_time(interview(wednesday, ny("2026-12-01", 9)), NEW_YORK) is False


def test_thanked_on_time_uses_local_dates() -> None:
    # Friday 22:00 in New York is Saturday in UTC; Tuesday 23:00 in New York is Wednesday in UTC.
    held_at, thanked_at = ny("2026-03-13", 22), ny("2026-03-17", 23)
    assert thanked_on_time(interview(held_at, thanked_at), NEW_YORK) is True
    assert thanked_on_time(interview(held_at, thanked_at), UTC_US) is False


def test_thanked_on_time_is_unknown_until_held_and_thanked() -> None:
    assert thanked_on_time(interview(ny("2026-03-13"), None), NEW_YORK) is None
    assert thanked_on_time(interview(None, None, status="scheduled"), NEW_YORK) is None
    assert thanked_on_time(interview(None, ny("2026-03-14"), status="cancelled"), NEW_YORK) is None


def test_thanked_on_time_from_folded_events() -> None:
    state = given(added(), scheduled(ny("2026-03-13", 10)), held(ny("2026-03-13", 11)), thanks(ny("2026-03-18", 9)))
    (only_interview,) = state.interviews
    assert thanked_on_time(only_interview, NEW_YORK) is False
    assert only_interview.thanked_at == ny("2026-03-18", 9)
    assert timedelta(0) < only_interview.thanked_at - ny("2026-03-13", 11)


def test_a_reflection_answers_the_referral_log_when_no_one_was_suggested() -> None:
    base = (added(), scheduled(ny("2026-03-13", 10)), held(ny("2026-03-13", 11)), thanks(ny("2026-03-14")))
    assert "log_referral" in [kind for kind, _ in then(given(*base))]
    reflected = given(*base, ReflectionRecorded(learned="Not my field", recorded_at=ny("2026-03-15")))
    assert [kind for kind, _ in then(reflected)] == ["keep_in_touch"]
