"""Given/when/then for what follows an interview: thanks, referrals, action items, reflection, updates."""

from datetime import date, timedelta
from uuid import UUID

import pytest

from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.eventstore.events import Event
from backend.relationships.commands import decide
from backend.relationships.commands.follow_through import (
    AddActionItem,
    CompleteActionItem,
    KeepInTouch,
    RecordReferral,
    RecordReflection,
    SendThanks,
    record_referral,
)
from backend.relationships.events import (
    ActionItemAdded,
    ActionItemCompleted,
    ContactAdded,
    ContactArchived,
    InterviewCancelled,
    InterviewHeld,
    InterviewScheduled,
    KeptInTouch,
    ReferralReceived,
    ReflectionRecorded,
    ThanksSent,
)
from backend.relationships.state import ContactState, fold
from tests.unit.decide_support import CONTACT, ERASED, MEETING, NOW, STUDENT, refused

pytestmark = pytest.mark.unit

MET = NOW - timedelta(days=1)
REFERRED = UUID(int=3)
LATER_MEETING = UUID(int=11)
UNKNOWN = UUID(int=99)
ITEM = UUID(int=20)

ADDED = ContactAdded(
    contact_id=CONTACT,
    student_id=STUDENT,
    name="Ada Lovelace",
    organization="Acme Labs",
    career_field="Software",
    how_found="alumni",
    added_at=NOW - timedelta(days=10),
)
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=MET - timedelta(minutes=30), minutes=30, format="video")
HELD = InterviewHeld(interview_id=MEETING, held_at=MET, minutes=30)
ITEM_ADDED = ActionItemAdded(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1))
ARCHIVED = ContactArchived(archived_at=NOW - timedelta(hours=1))
MET_ADA = (ADDED, SCHEDULED, HELD)


def given(*events: Event) -> ContactState:
    return fold([(e, MET) for e in events])


def refused_everywhere_inactive(command: object, *history: Event) -> None:
    """Missing, archived and erased contacts take nothing more (notes and erasure aside)."""
    refused(command, ContactState(), "not-found", NotFoundError)
    refused(command, given(*history, ARCHIVED), "contact-archived")
    refused(command, given(*history, ERASED), "contact-erased")


# -- thanks --------------------------------------------------------------------------------------


def test_thank_for_a_named_interview() -> None:
    cmd = SendThanks(helpful_thing="  the reading list ", channel="linkedin", interview_id=MEETING)
    assert decide(cmd, given(*MET_ADA), NOW) == [
        ThanksSent(interview_id=MEETING, sent_at=NOW, channel="linkedin", helpful_thing="the reading list")
    ]


def test_thanks_without_an_interview_go_to_the_last_one_held() -> None:
    sent = MET + timedelta(hours=3)
    assert decide(SendThanks(helpful_thing="advice", sent_at=sent), given(*MET_ADA), NOW) == [
        ThanksSent(interview_id=None, sent_at=sent, channel="email", helpful_thing="advice")
    ]


def test_thanks_for_an_interview_never_held_are_refused() -> None:
    error = refused(SendThanks(helpful_thing="x", interview_id=MEETING), given(ADDED, SCHEDULED), "not-held")
    assert "record it as held first" in str(error)
    cancelled = given(ADDED, SCHEDULED, InterviewCancelled(interview_id=MEETING, by="contact"))
    refused(SendThanks(helpful_thing="x", interview_id=MEETING), cancelled, "not-held")
    error = refused(SendThanks(helpful_thing="x"), given(ADDED, SCHEDULED), "not-held")
    assert "no held interview" in str(error)
    refused(SendThanks(helpful_thing="x"), given(ADDED), "not-held")


def test_thanks_for_an_unknown_interview_are_not_found() -> None:
    refused(SendThanks(helpful_thing="x", interview_id=UNKNOWN), given(*MET_ADA), "not-found", NotFoundError)


def test_thanks_cannot_be_in_the_future_or_before_the_interview() -> None:
    ahead = SendThanks(helpful_thing="x", interview_id=MEETING, sent_at=NOW + timedelta(days=1))
    error = refused(ahead, given(*MET_ADA), "invalid-input", ValidationFailedError)
    assert "future" in str(error)
    early = SendThanks(helpful_thing="x", interview_id=MEETING, sent_at=MET - timedelta(minutes=1))
    error = refused(early, given(*MET_ADA), "invalid-input", ValidationFailedError)
    assert "before the interview" in str(error)
    # Without a named interview, the last one held is the reference.
    refused(
        SendThanks(helpful_thing="x", sent_at=MET - timedelta(minutes=1)),
        given(*MET_ADA),
        "invalid-input",
        ValidationFailedError,
    )


def test_thanks_refused_on_missing_archived_or_erased_contacts() -> None:
    refused_everywhere_inactive(SendThanks(helpful_thing="x", interview_id=MEETING), *MET_ADA)


# -- referrals -----------------------------------------------------------------------------------


def test_a_referral_is_recorded_here_and_starts_the_referred_persons_stream() -> None:
    cmd = RecordReferral(name=" Grace Hopper ", title=" Admiral ", organization="", referred_contact_id=REFERRED)
    own, new = record_referral(cmd, given(*MET_ADA), NOW)
    assert own == [
        ReferralReceived(
            referred_contact_id=REFERRED,
            referred_stream=f"contact-{STUDENT.hex}.{REFERRED.hex}",
            referred_name="Grace Hopper",
            referred_title="Admiral",
            referred_organization=None,
            received_at=NOW,
        )
    ]
    assert new == [
        ContactAdded(
            contact_id=REFERRED,
            student_id=STUDENT,
            name="Grace Hopper",
            title="Admiral",
            organization=None,
            career_field="Software",  # the referrer's field unless told
            how_found="referral",
            referred_by=CONTACT,
            added_at=NOW,
        )
    ]


def test_a_referral_logged_later_keeps_its_time_and_field() -> None:
    at = MET + timedelta(minutes=10)
    cmd = RecordReferral(name="Grace", career_field="Navy", received_at=at, referred_contact_id=REFERRED)
    (referral,), (added,) = record_referral(cmd, given(*MET_ADA), NOW)
    assert isinstance(referral, ReferralReceived)
    assert isinstance(added, ContactAdded)
    assert (referral.received_at, added.added_at, added.career_field) == (at, at, "Navy")


def test_the_same_referral_is_recorded_once_and_no_one_refers_themselves() -> None:
    state = given(*MET_ADA)
    (referral,), _ = record_referral(RecordReferral(name="Grace", referred_contact_id=REFERRED), state, NOW)
    after = fold([(referral, NOW)], state)
    for target in (REFERRED, CONTACT):
        with pytest.raises(DomainError) as caught:
            record_referral(RecordReferral(name="Grace", referred_contact_id=target), after, NOW)
        assert caught.value.code == "referral-exists"


def test_a_referral_cannot_be_in_the_future() -> None:
    cmd = RecordReferral(name="Grace", received_at=NOW + timedelta(hours=1), referred_contact_id=REFERRED)
    with pytest.raises(ValidationFailedError, match="future"):
        record_referral(cmd, given(*MET_ADA), NOW)


def test_the_handler_must_assign_the_referred_contacts_id() -> None:
    with pytest.raises(ValueError, match="referred contact"):
        record_referral(RecordReferral(name="Grace"), given(*MET_ADA), NOW)


def test_referral_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = RecordReferral(name="Grace", referred_contact_id=REFERRED)
    with pytest.raises(NotFoundError):
        record_referral(cmd, ContactState(), NOW)
    for history, code in (((*MET_ADA, ARCHIVED), "contact-archived"), ((*MET_ADA, ERASED), "contact-erased")):
        with pytest.raises(DomainError) as caught:
            record_referral(cmd, given(*history), NOW)
        assert caught.value.code == code


# -- action items --------------------------------------------------------------------------------


def test_add_an_action_item() -> None:
    cmd = AddActionItem(what="  Join the ACM ", due=date(2026, 3, 20), item_id=ITEM)
    assert decide(cmd, given(*MET_ADA), NOW) == [
        ActionItemAdded(item_id=ITEM, what="Join the ACM", due=date(2026, 3, 20))
    ]


def test_an_action_item_id_is_used_once() -> None:
    cmd = AddActionItem(what="Again", due=date(2026, 3, 20), item_id=ITEM)
    refused(cmd, given(*MET_ADA, ITEM_ADDED), "item-exists")


def test_the_handler_must_assign_the_item_id() -> None:
    with pytest.raises(ValueError, match="item id"):
        decide(AddActionItem(what="x", due=date(2026, 3, 20)), given(*MET_ADA), NOW)


def test_add_action_item_refused_on_missing_archived_or_erased_contacts() -> None:
    refused_everywhere_inactive(AddActionItem(what="x", due=date(2026, 3, 20), item_id=ITEM), *MET_ADA)


def test_complete_an_action_item() -> None:
    assert decide(CompleteActionItem(item_id=ITEM), given(*MET_ADA, ITEM_ADDED), NOW) == [
        ActionItemCompleted(item_id=ITEM, completed_at=NOW)
    ]
    at = NOW - timedelta(hours=5)
    assert decide(CompleteActionItem(item_id=ITEM, completed_at=at), given(*MET_ADA, ITEM_ADDED), NOW) == [
        ActionItemCompleted(item_id=ITEM, completed_at=at)
    ]


def test_complete_an_unknown_or_done_item_is_refused() -> None:
    refused(CompleteActionItem(item_id=UNKNOWN), given(*MET_ADA, ITEM_ADDED), "not-found", NotFoundError)
    done = given(*MET_ADA, ITEM_ADDED, ActionItemCompleted(item_id=ITEM, completed_at=MET))
    refused(CompleteActionItem(item_id=ITEM), done, "item-done")


def test_an_item_cannot_be_completed_in_the_future() -> None:
    cmd = CompleteActionItem(item_id=ITEM, completed_at=NOW + timedelta(days=1))
    refused(cmd, given(*MET_ADA, ITEM_ADDED), "invalid-input", ValidationFailedError)


def test_complete_action_item_refused_on_missing_archived_or_erased_contacts() -> None:
    refused_everywhere_inactive(CompleteActionItem(item_id=ITEM), *MET_ADA, ITEM_ADDED)


# -- reflection ----------------------------------------------------------------------------------


def test_record_a_reflection() -> None:
    cmd = RecordReflection(learned=" data work is mostly cleaning ", next_steps="  ")
    assert decide(cmd, given(*MET_ADA), NOW) == [
        ReflectionRecorded(learned="data work is mostly cleaning", next_steps=None, recorded_at=NOW)
    ]


def test_reflection_refused_on_missing_archived_or_erased_contacts() -> None:
    refused_everywhere_inactive(RecordReflection(learned="x"), *MET_ADA)


# -- keeping in touch ----------------------------------------------------------------------------


def test_keep_in_touch_after_an_interview() -> None:
    assert decide(KeepInTouch(shared=" I joined the ACM "), given(*MET_ADA), NOW) == [
        KeptInTouch(sent_at=NOW, shared="I joined the ACM")
    ]
    at = NOW - timedelta(hours=2)
    assert decide(KeepInTouch(sent_at=at), given(*MET_ADA), NOW) == [KeptInTouch(sent_at=at, shared=None)]


def test_keep_in_touch_needs_a_held_interview() -> None:
    error = refused(KeepInTouch(), given(ADDED), "not-held")
    assert "follow up on the request" in str(error)
    refused(KeepInTouch(), given(ADDED, SCHEDULED), "not-held")


def test_an_update_cannot_be_in_the_future() -> None:
    refused(KeepInTouch(sent_at=NOW + timedelta(days=1)), given(*MET_ADA), "invalid-input", ValidationFailedError)


def test_keep_in_touch_refused_on_missing_archived_or_erased_contacts() -> None:
    refused_everywhere_inactive(KeepInTouch(), *MET_ADA)


# -- a second interview --------------------------------------------------------------------------


def test_thanks_for_each_of_two_interviews() -> None:
    second = (
        InterviewScheduled(interview_id=LATER_MEETING, starts_at=NOW - timedelta(hours=3), minutes=30, format="phone"),
        InterviewHeld(interview_id=LATER_MEETING, held_at=NOW - timedelta(hours=2), minutes=30),
    )
    state = given(*MET_ADA, *second)
    # Thanks for the earlier interview may predate the later one.
    between = MET + timedelta(hours=1)
    assert decide(SendThanks(helpful_thing="x", interview_id=MEETING, sent_at=between), state, NOW) == [
        ThanksSent(interview_id=MEETING, sent_at=between, channel="email", helpful_thing="x")
    ]
    refused(
        SendThanks(helpful_thing="x", interview_id=LATER_MEETING, sent_at=between),
        state,
        "invalid-input",
        ValidationFailedError,
    )
