"""Given/when/then for requesting an interview, following up, and recording the answer."""

from datetime import timedelta

import pytest

from backend.errors import NotFoundError, ValidationFailedError
from backend.relationships.commands import decide
from backend.relationships.commands.request import FollowUpRequest, RecordAnswer, RequestInterview
from backend.relationships.events import (
    Answer,
    ContactAdded,
    ContactArchived,
    InterviewCancelled,
    InterviewRequested,
    InterviewScheduled,
    RequestAnswered,
    RequestFollowedUp,
)
from backend.relationships.state import ContactState
from tests.unit.decide_support import CONTACT, ERASED, MEETING, NOW, STUDENT, given, refused

pytestmark = pytest.mark.unit


ADDED = ContactAdded(
    contact_id=CONTACT, student_id=STUDENT, name="Ada Lovelace", how_found="alumni", added_at=NOW - timedelta(days=10)
)
REQUESTED = InterviewRequested(channel="email", format="video", minutes=20, sent_at=NOW - timedelta(days=8))
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=NOW + timedelta(days=3), minutes=30, format="phone")
ARCHIVED = ContactArchived(archived_at=NOW - timedelta(days=1))


def answered(answer: Answer = "declined") -> RequestAnswered:
    return RequestAnswered(answer=answer, answered_at=NOW - timedelta(days=2))


# -- request -------------------------------------------------------------------------------------


def test_request_sent_now_by_default() -> None:
    cmd = RequestInterview(channel="linkedin", format="video", minutes=15, message="  Hello Ada,  ")
    assert decide(cmd, given(ADDED), NOW) == [
        InterviewRequested(channel="linkedin", format="video", minutes=15, message="Hello Ada,", sent_at=NOW)
    ]


def test_request_logged_after_the_fact_keeps_its_time_and_drops_a_blank_message() -> None:
    sent = NOW - timedelta(days=2)
    cmd = RequestInterview(channel="email", format="phone", message="   ", sent_at=sent)
    assert decide(cmd, given(ADDED), NOW) == [
        InterviewRequested(channel="email", format="phone", minutes=20, message=None, sent_at=sent)
    ]


def test_a_new_request_after_a_decline_is_allowed() -> None:
    events = decide(RequestInterview(channel="email", format="video"), given(ADDED, REQUESTED, answered()), NOW)
    assert [type(e) for e in events] == [InterviewRequested]


def test_no_second_request_while_one_is_pending() -> None:
    error = refused(RequestInterview(channel="email", format="video"), given(ADDED, REQUESTED), "request-pending")
    assert "follow up" in str(error)
    followed = given(ADDED, REQUESTED, RequestFollowedUp(channel="email", sent_at=NOW - timedelta(days=1)))
    refused(RequestInterview(channel="email", format="video"), followed, "request-pending")


def test_no_request_while_an_interview_is_scheduled() -> None:
    refused(RequestInterview(channel="email", format="video"), given(ADDED, SCHEDULED), "already-scheduled")


def test_request_time_in_the_future_is_refused() -> None:
    ahead = RequestInterview(channel="email", format="video", sent_at=NOW + timedelta(minutes=6))
    error = refused(ahead, given(ADDED), "invalid-input", ValidationFailedError)
    assert "future" in str(error)


def test_a_request_sent_before_the_contact_was_logged_is_accepted() -> None:
    # Students often add a contact after having already written to them.
    sent = NOW - timedelta(days=11)
    assert decide(RequestInterview(channel="email", format="video", sent_at=sent), given(ADDED), NOW) == [
        InterviewRequested(channel="email", format="video", minutes=20, sent_at=sent)
    ]


def test_a_phone_clock_a_few_minutes_ahead_is_tolerated() -> None:
    sent = NOW + timedelta(minutes=4)
    (event,) = decide(RequestInterview(channel="email", format="video", sent_at=sent), given(ADDED), NOW)
    assert isinstance(event, InterviewRequested)
    assert event.sent_at == sent


def test_request_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = RequestInterview(channel="email", format="video")
    refused(cmd, ContactState(), "not-found", NotFoundError)
    refused(cmd, given(ADDED, ARCHIVED), "contact-archived")
    refused(cmd, given(ADDED, ERASED), "contact-erased")


# -- follow up -----------------------------------------------------------------------------------


def test_follow_up_on_a_pending_request() -> None:
    assert decide(FollowUpRequest(channel="email"), given(ADDED, REQUESTED), NOW) == [
        RequestFollowedUp(channel="email", sent_at=NOW)
    ]
    sent = NOW - timedelta(days=1)
    assert decide(FollowUpRequest(channel="phone", sent_at=sent), given(ADDED, REQUESTED), NOW) == [
        RequestFollowedUp(channel="phone", sent_at=sent)
    ]


def test_follow_up_needs_a_request() -> None:
    error = refused(FollowUpRequest(channel="email"), given(ADDED), "no-request")
    assert "send a request first" in str(error)


def test_no_follow_up_on_an_answered_request() -> None:
    refused(FollowUpRequest(channel="email"), given(ADDED, REQUESTED, answered("accepted")), "request-answered")
    # A meeting that came of the request answered it too.
    refused(FollowUpRequest(channel="email"), given(ADDED, REQUESTED, SCHEDULED), "request-answered")


def test_follow_up_time_in_the_future_or_before_the_request_is_refused() -> None:
    state = given(ADDED, REQUESTED)
    refused(
        FollowUpRequest(channel="email", sent_at=NOW + timedelta(hours=1)),
        state,
        "invalid-input",
        ValidationFailedError,
    )
    error = refused(
        FollowUpRequest(channel="email", sent_at=NOW - timedelta(days=9)), state, "invalid-input", ValidationFailedError
    )
    assert "before the request" in str(error)


def test_follow_up_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = FollowUpRequest(channel="email")
    refused(cmd, ContactState(), "not-found", NotFoundError)
    refused(cmd, given(ADDED, REQUESTED, ARCHIVED), "contact-archived")
    refused(cmd, given(ADDED, REQUESTED, ERASED), "contact-erased")


# -- answer --------------------------------------------------------------------------------------


def test_record_an_answer() -> None:
    assert decide(RecordAnswer(answer="accepted", note=" next week works "), given(ADDED, REQUESTED), NOW) == [
        RequestAnswered(answer="accepted", note="next week works", answered_at=NOW)
    ]
    at = NOW - timedelta(days=3)
    assert decide(RecordAnswer(answer="declined", answered_at=at), given(ADDED, REQUESTED), NOW) == [
        RequestAnswered(answer="declined", note=None, answered_at=at)
    ]


def test_an_answer_after_a_follow_up() -> None:
    state = given(ADDED, REQUESTED, RequestFollowedUp(channel="email", sent_at=NOW - timedelta(days=1)))
    assert decide(RecordAnswer(answer="accepted"), state, NOW) == [RequestAnswered(answer="accepted", answered_at=NOW)]


def test_answer_to_a_request_never_sent_is_refused() -> None:
    error = refused(RecordAnswer(answer="accepted"), given(ADDED), "no-request")
    assert "record the request first" in str(error)


def test_a_request_is_answered_once() -> None:
    refused(RecordAnswer(answer="accepted"), given(ADDED, REQUESTED, answered("declined")), "request-answered")
    refused(RecordAnswer(answer="declined"), given(ADDED, REQUESTED, SCHEDULED), "request-answered")


def test_answer_time_in_the_future_or_before_the_request_is_refused() -> None:
    state = given(ADDED, REQUESTED)
    refused(
        RecordAnswer(answer="accepted", answered_at=NOW + timedelta(days=1)),
        state,
        "invalid-input",
        ValidationFailedError,
    )
    refused(
        RecordAnswer(answer="accepted", answered_at=NOW - timedelta(days=9)),
        state,
        "invalid-input",
        ValidationFailedError,
    )


def test_answer_refused_on_missing_archived_or_erased_contacts() -> None:
    cmd = RecordAnswer(answer="accepted")
    refused(cmd, ContactState(), "not-found", NotFoundError)
    refused(cmd, given(ADDED, REQUESTED, ARCHIVED), "contact-archived")
    refused(cmd, given(ADDED, REQUESTED, ERASED), "contact-erased")


# -- known gap -----------------------------------------------------------------------------------


def test_a_new_request_after_a_cancelled_meeting_awaits_its_answer() -> None:
    cancelled = given(ADDED, REQUESTED, SCHEDULED, InterviewCancelled(interview_id=MEETING, by="contact"))
    asked_again = given(
        ADDED,
        REQUESTED,
        SCHEDULED,
        InterviewCancelled(interview_id=MEETING, by="contact"),
        InterviewRequested(channel="email", format="video", minutes=20, sent_at=NOW - timedelta(hours=2)),
    )
    assert cancelled.upcoming == ()
    assert decide(RecordAnswer(answer="accepted"), asked_again, NOW) == [
        RequestAnswered(answer="accepted", answered_at=NOW)
    ]
