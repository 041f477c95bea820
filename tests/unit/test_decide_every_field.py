"""Every field a command carries reaches its event: each command sent with all of its fields non-blank.

A decide that dropped the phone, the LinkedIn URL, a reason or a takeaway would still pass a test that
leaves those fields out; here each is sent (with stray spaces) and the whole event compared.
"""

from datetime import date, timedelta
from uuid import UUID

import pytest

from backend.relationships.commands import decide
from backend.relationships.commands.contact import AddContact, ArchiveContact, RestoreContact, add_contact
from backend.relationships.commands.follow_through import (
    AddActionItem,
    KeepInTouch,
    RecordReferral,
    RecordReflection,
    record_referral,
)
from backend.relationships.commands.interview import (
    CancelInterview,
    RecordInterviewHeld,
    RescheduleInterview,
    ScheduleInterview,
)
from backend.relationships.commands.request import RecordAnswer, RequestInterview
from backend.relationships.events import (
    ActionItemAdded,
    ContactAdded,
    ContactArchived,
    ContactRestored,
    InterviewCancelled,
    InterviewHeld,
    InterviewRequested,
    InterviewRescheduled,
    InterviewScheduled,
    KeptInTouch,
    ReferralReceived,
    ReflectionRecorded,
    RequestAnswered,
    contact_stream,
)
from backend.relationships.state import ContactState
from tests.unit.decide_support import CONTACT, MEETING, NOW, STUDENT, given

pytestmark = pytest.mark.unit

REFERRER = UUID(int=3)
REFERRED = UUID(int=4)
ITEM = UUID(int=20)
EARLIER = NOW - timedelta(hours=2)

ADDED = ContactAdded(
    contact_id=CONTACT,
    student_id=STUDENT,
    name="Ada Lovelace",
    organization="Acme Labs",
    career_field="Software",
    how_found="alumni",
    added_at=NOW - timedelta(days=10),
)
REQUESTED = InterviewRequested(channel="email", format="video", minutes=20, sent_at=NOW - timedelta(days=8))
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=NOW - timedelta(days=1), minutes=30, format="video")
HELD = InterviewHeld(interview_id=MEETING, held_at=NOW - timedelta(days=1), minutes=30)


def test_add_contact_with_every_field() -> None:
    cmd = AddContact(
        name=" Grace Hopper ",
        how_found="referral",
        title=" Rear Admiral ",
        organization=" US Navy ",
        career_field=" Computing ",
        email=" grace@navy.example ",
        phone=" +1 202 555 0143 ",
        linkedin_url=" https://www.linkedin.com/in/grace ",
        tags=[" COBOL ", "Navy"],
        notes=" Met at the symposium ",
        contact_id=CONTACT,
    )
    assert add_contact(cmd, ContactState(), NOW, student_id=STUDENT, referred_by=REFERRER) == [
        ContactAdded(
            contact_id=CONTACT,
            student_id=STUDENT,
            name="Grace Hopper",
            title="Rear Admiral",
            organization="US Navy",
            career_field="Computing",
            email="grace@navy.example",
            phone="+1 202 555 0143",
            linkedin_url="https://www.linkedin.com/in/grace",
            how_found="referral",
            referred_by=REFERRER,
            tags=["cobol", "navy"],
            notes="Met at the symposium",
            added_at=NOW,
        )
    ]


def test_record_referral_with_every_field() -> None:
    cmd = RecordReferral(
        name=" Grace Hopper ",
        title=" Rear Admiral ",
        organization=" US Navy ",
        career_field=" Computing ",
        received_at=EARLIER,
        referred_contact_id=REFERRED,
    )
    assert record_referral(cmd, given(ADDED, SCHEDULED, HELD), NOW) == (
        [
            ReferralReceived(
                referred_contact_id=REFERRED,
                referred_stream=contact_stream(STUDENT, REFERRED),
                referred_name="Grace Hopper",
                referred_title="Rear Admiral",
                referred_organization="US Navy",
                received_at=EARLIER,
            )
        ],
        [
            ContactAdded(
                contact_id=REFERRED,
                student_id=STUDENT,
                name="Grace Hopper",
                title="Rear Admiral",
                organization="US Navy",
                career_field="Computing",
                how_found="referral",
                referred_by=CONTACT,
                added_at=EARLIER,
            )
        ],
    )


def test_record_held_with_every_field() -> None:
    cmd = RecordInterviewHeld(
        interview_id=MEETING,
        held_at=EARLIER,
        minutes=45,
        notes=" Talked about compilers ",
        questions_asked=[" How did you start? ", " ", "What next?"],
        key_takeaways=" Learn by building ",
        advice=" Write every day ",
        resources=[" The Mythical Man-Month ", ""],
        fit_signal=2,
    )
    state = given(ADDED, SCHEDULED)
    assert decide(cmd, state, NOW) == [
        InterviewHeld(
            interview_id=MEETING,
            held_at=EARLIER,
            minutes=45,
            notes="Talked about compilers",
            questions_asked=["How did you start?", "What next?"],
            key_takeaways="Learn by building",
            advice="Write every day",
            resources=["The Mythical Man-Month"],
            fit_signal=2,
        )
    ]


def test_request_answer_schedule_reschedule_and_cancel_with_every_field() -> None:
    request = RequestInterview(channel="linkedin", format="phone", minutes=15, message=" Hello ", sent_at=EARLIER)
    assert decide(request, given(ADDED), NOW) == [
        InterviewRequested(channel="linkedin", format="phone", minutes=15, message="Hello", sent_at=EARLIER)
    ]
    answer = RecordAnswer(answer="accepted", note=" Tuesday works ", answered_at=EARLIER)
    assert decide(answer, given(ADDED, REQUESTED), NOW) == [
        RequestAnswered(answer="accepted", note="Tuesday works", answered_at=EARLIER)
    ]
    schedule = ScheduleInterview(starts_at=NOW, minutes=25, format="in_person", place=" Café ", interview_id=MEETING)
    assert decide(schedule, given(ADDED), NOW) == [
        InterviewScheduled(interview_id=MEETING, starts_at=NOW, minutes=25, format="in_person", place="Café")
    ]
    later = NOW + timedelta(days=3)
    upcoming = given(ADDED, InterviewScheduled(interview_id=MEETING, starts_at=NOW, minutes=30, format="video"))
    assert decide(
        RescheduleInterview(interview_id=MEETING, starts_at=later, minutes=40, by="student"), upcoming, NOW
    ) == [InterviewRescheduled(interview_id=MEETING, starts_at=later, minutes=40, by="student")]
    assert decide(CancelInterview(interview_id=MEETING, reason=" Ill ", by="student"), upcoming, NOW) == [
        InterviewCancelled(interview_id=MEETING, reason="Ill", by="student")
    ]


def test_follow_through_with_every_field() -> None:
    met = given(ADDED, SCHEDULED, HELD)
    assert decide(AddActionItem(what=" Read SICP ", due=date(2026, 4, 1), item_id=ITEM), met, NOW) == [
        ActionItemAdded(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1))
    ]
    assert decide(RecordReflection(learned=" Plenty ", next_steps=" Apply in May "), met, NOW) == [
        ReflectionRecorded(learned="Plenty", next_steps="Apply in May", recorded_at=NOW)
    ]
    assert decide(KeepInTouch(shared=" Got the internship ", sent_at=EARLIER), met, NOW) == [
        KeptInTouch(sent_at=EARLIER, shared="Got the internship")
    ]


def test_archive_and_restore_keep_their_reasons() -> None:
    assert decide(ArchiveContact(reason=" Moved abroad "), given(ADDED), NOW) == [
        ContactArchived(reason="Moved abroad", archived_at=NOW)
    ]
    archived = given(ADDED, ContactArchived(archived_at=EARLIER))
    assert decide(RestoreContact(reason=" Back in town "), archived, NOW) == [
        ContactRestored(reason="Back in town", restored_at=NOW)
    ]
