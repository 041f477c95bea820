"""Given/when/then for scheduling, rescheduling, cancelling and holding an interview."""

from datetime import timedelta
from uuid import UUID

import pytest

from backend.errors import NotFoundError, ValidationFailedError
from backend.relationships.commands import decide
from backend.relationships.commands.interview import (
    CancelInterview,
    RecordInterviewHeld,
    RescheduleInterview,
    ScheduleInterview,
)
from backend.relationships.events import (
    ContactAdded,
    ContactArchived,
    InterviewCancelled,
    InterviewHeld,
    InterviewRequested,
    InterviewRescheduled,
    InterviewScheduled,
    RequestAnswered,
)
from backend.relationships.state import ContactState
from tests.unit.decide_support import CONTACT, ERASED, MEETING, NOW, STUDENT, given, refused

pytestmark = pytest.mark.unit

SOON = NOW + timedelta(days=2)
ANOTHER = UUID(int=11)
UNKNOWN = UUID(int=99)

ADDED = ContactAdded(
    contact_id=CONTACT, student_id=STUDENT, name="Ada Lovelace", how_found="alumni", added_at=NOW - timedelta(days=10)
)
REQUESTED = InterviewRequested(channel="email", format="video", minutes=20, sent_at=NOW - timedelta(days=8))
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=SOON, minutes=30, format="video", place="https://meet")
CANCELLED = InterviewCancelled(interview_id=MEETING, by="contact")
HELD = InterviewHeld(interview_id=MEETING, held_at=NOW - timedelta(hours=1), minutes=25)
ARCHIVED = ContactArchived(archived_at=NOW - timedelta(days=1))


# -- schedule ------------------------------------------------------------------------------------


def test_schedule_after_a_request() -> None:
    cmd = ScheduleInterview(starts_at=SOON, minutes=20, format="in_person", place="  Café Nero ", interview_id=MEETING)
    assert decide(cmd, given(ADDED, REQUESTED), NOW) == [
        InterviewScheduled(interview_id=MEETING, starts_at=SOON, minutes=20, format="in_person", place="Café Nero")
    ]


def test_schedule_without_a_request_defaults_to_30_minutes() -> None:
    # Met at a colloquium and agreed on the spot: no request to record.
    cmd = ScheduleInterview(starts_at=SOON, format="phone", place=" ", interview_id=MEETING)
    assert decide(cmd, given(ADDED), NOW) == [
        InterviewScheduled(interview_id=MEETING, starts_at=SOON, minutes=30, format="phone", place=None)
    ]


def test_schedule_again_after_a_cancellation_or_a_held_interview() -> None:
    cmd = ScheduleInterview(starts_at=SOON + timedelta(days=7), format="video", interview_id=ANOTHER)
    for state in (given(ADDED, SCHEDULED, CANCELLED), given(ADDED, SCHEDULED, HELD)):
        (event,) = decide(cmd, state, NOW)
        assert isinstance(event, InterviewScheduled)
        assert event.interview_id == ANOTHER


def test_one_scheduled_interview_at_a_time() -> None:
    cmd = ScheduleInterview(starts_at=SOON, format="video", interview_id=ANOTHER)
    error = refused(cmd, given(ADDED, SCHEDULED), "already-scheduled")
    assert "reschedule" in str(error)


def test_no_scheduling_after_a_decline() -> None:
    declined = given(ADDED, REQUESTED, RequestAnswered(answer="declined", answered_at=NOW - timedelta(days=1)))
    refused(ScheduleInterview(starts_at=SOON, format="video", interview_id=MEETING), declined, "declined")


def test_an_interview_id_is_used_once() -> None:
    cmd = ScheduleInterview(starts_at=SOON, format="video", interview_id=MEETING)
    refused(cmd, given(ADDED, SCHEDULED, CANCELLED), "interview-exists")


def test_the_handler_must_assign_the_interview_id() -> None:
    with pytest.raises(ValueError, match="interview id"):
        decide(ScheduleInterview(starts_at=SOON, format="video"), given(ADDED), NOW)


def test_schedule_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = ScheduleInterview(starts_at=SOON, format="video", interview_id=MEETING)
    refused(cmd, ContactState(), "not-found", NotFoundError)
    error = refused(cmd, given(ADDED, ARCHIVED), "contact-archived")
    assert "restore it first" in str(error)
    refused(cmd, given(ADDED, ERASED), "contact-erased")


# -- reschedule ----------------------------------------------------------------------------------


def test_reschedule_keeps_the_length_unless_told() -> None:
    later = SOON + timedelta(days=1)
    state = given(ADDED, SCHEDULED)
    assert decide(RescheduleInterview(interview_id=MEETING, starts_at=later), state, NOW) == [
        InterviewRescheduled(interview_id=MEETING, starts_at=later, minutes=30, by="contact")
    ]
    assert decide(RescheduleInterview(interview_id=MEETING, starts_at=later, minutes=45, by="student"), state, NOW) == [
        InterviewRescheduled(interview_id=MEETING, starts_at=later, minutes=45, by="student")
    ]


def test_reschedule_an_unknown_interview_is_not_found() -> None:
    refused(
        RescheduleInterview(interview_id=UNKNOWN, starts_at=SOON), given(ADDED, SCHEDULED), "not-found", NotFoundError
    )


def test_only_a_scheduled_interview_can_be_rescheduled() -> None:
    cmd = RescheduleInterview(interview_id=MEETING, starts_at=SOON)
    error = refused(cmd, given(ADDED, SCHEDULED, CANCELLED), "not-scheduled")
    assert "cancelled" in str(error)
    error = refused(cmd, given(ADDED, SCHEDULED, HELD), "not-scheduled")
    assert "held" in str(error)


def test_reschedule_refused_on_archived_or_erased_contacts() -> None:
    cmd = RescheduleInterview(interview_id=MEETING, starts_at=SOON)
    refused(cmd, given(ADDED, SCHEDULED, ARCHIVED), "contact-archived")
    refused(cmd, given(ADDED, SCHEDULED, ERASED), "contact-erased")


# -- cancel --------------------------------------------------------------------------------------


def test_cancel_a_scheduled_interview() -> None:
    assert decide(
        CancelInterview(interview_id=MEETING, reason=" ill ", by="student"), given(ADDED, SCHEDULED), NOW
    ) == [InterviewCancelled(interview_id=MEETING, reason="ill", by="student")]


def test_cancel_refused_for_unknown_cancelled_or_held_interviews() -> None:
    refused(CancelInterview(interview_id=UNKNOWN), given(ADDED, SCHEDULED), "not-found", NotFoundError)
    refused(CancelInterview(interview_id=MEETING), given(ADDED, SCHEDULED, CANCELLED), "not-scheduled")
    refused(CancelInterview(interview_id=MEETING), given(ADDED, SCHEDULED, HELD), "not-scheduled")


def test_cancel_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = CancelInterview(interview_id=MEETING)
    refused(cmd, ContactState(), "not-found", NotFoundError)
    refused(cmd, given(ADDED, SCHEDULED, ARCHIVED), "contact-archived")
    refused(cmd, given(ADDED, SCHEDULED, ERASED), "contact-erased")


# -- held ----------------------------------------------------------------------------------------


def test_record_an_interview_as_held_with_notes() -> None:
    cmd = RecordInterviewHeld(
        interview_id=MEETING,
        notes=" great chat ",
        questions_asked=[" What does a day look like? ", "  "],
        key_takeaways="",
        advice="Learn SQL",
        resources=["SICP", " "],
        fit_signal=2,
    )
    assert decide(cmd, given(ADDED, SCHEDULED), NOW) == [
        InterviewHeld(
            interview_id=MEETING,
            held_at=NOW,
            minutes=30,
            notes="great chat",
            questions_asked=["What does a day look like?"],
            key_takeaways=None,
            advice="Learn SQL",
            resources=["SICP"],
            fit_signal=2,
        )
    ]


def test_record_held_after_the_fact_with_its_own_time_and_length() -> None:
    at = NOW - timedelta(days=1)
    assert decide(RecordInterviewHeld(interview_id=MEETING, held_at=at, minutes=50), given(ADDED, SCHEDULED), NOW) == [
        InterviewHeld(interview_id=MEETING, held_at=at, minutes=50)
    ]


def test_an_interview_cannot_be_held_in_the_future() -> None:
    cmd = RecordInterviewHeld(interview_id=MEETING, held_at=NOW + timedelta(hours=2))
    error = refused(cmd, given(ADDED, SCHEDULED), "invalid-input", ValidationFailedError)
    assert "future" in str(error)


def test_held_refused_for_unknown_cancelled_or_already_held_interviews() -> None:
    refused(RecordInterviewHeld(interview_id=UNKNOWN), given(ADDED, SCHEDULED), "not-found", NotFoundError)
    refused(RecordInterviewHeld(interview_id=MEETING), given(ADDED, SCHEDULED, CANCELLED), "not-scheduled")
    refused(RecordInterviewHeld(interview_id=MEETING), given(ADDED, SCHEDULED, HELD), "not-scheduled")


def test_held_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = RecordInterviewHeld(interview_id=MEETING)
    refused(cmd, ContactState(), "not-found", NotFoundError)
    refused(cmd, given(ADDED, SCHEDULED, ARCHIVED), "contact-archived")
    refused(cmd, given(ADDED, SCHEDULED, ERASED), "contact-erased")
