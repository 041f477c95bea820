"""Every registered event has its fold and its history line: a new one that is forgotten fails here.

mypy already refuses a `match` over an event union that misses a case (`assert_never`); this is the
same rule at run time, from the registry itself: an event registered for a stream must be folded by
that stream's `evolve`, and a contact's must read as a sentence of its own in the history.
"""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from backend.eventstore.events import Event
from backend.registry import event_registry
from backend.relationships import events as contact
from backend.relationships.history import describe
from backend.relationships.state import ContactState, evolve
from backend.students import events as student
from backend.students.state import StudentState
from backend.students.state import evolve as evolve_student

NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
ID = UUID(int=7)

CONTACT_SAMPLES: list[contact.ContactEvent] = [
    contact.ContactAdded(contact_id=ID, student_id=ID, name="Ana", how_found="alumni", added_at=NOW),
    contact.ContactDetailsEdited(title="Engineer"),
    contact.InterviewRequested(channel="email", format="video", minutes=20, sent_at=NOW),
    contact.RequestFollowedUp(channel="email", sent_at=NOW),
    contact.RequestAnswered(answer="accepted", answered_at=NOW),
    contact.InterviewScheduled(interview_id=ID, starts_at=NOW, minutes=20, format="video"),
    contact.InterviewRescheduled(interview_id=ID, starts_at=NOW, minutes=20, by="contact"),
    contact.InterviewCancelled(interview_id=ID, by="student"),
    contact.InterviewHeld(interview_id=ID, held_at=NOW, minutes=20),
    contact.ThanksSent(sent_at=NOW, channel="email", helpful_thing="the advice"),
    contact.ReferralReceived(referred_contact_id=ID, referred_stream="contact-x", referred_name="Bo", received_at=NOW),
    contact.ActionItemAdded(item_id=ID, what="Read a book", due=date(2026, 4, 1)),
    contact.ActionItemCompleted(item_id=ID, completed_at=NOW),
    contact.ReflectionRecorded(learned="A lot", recorded_at=NOW),
    contact.KeptInTouch(sent_at=NOW),
    contact.NoteAdded(text="Met at the fair", noted_at=NOW),
    contact.ContactArchived(archived_at=NOW),
    contact.ContactRestored(restored_at=NOW),
    contact.ContactErased(erased_at=NOW),
]

STUDENT_SAMPLES: list[student.StudentEvent] = [
    student.StudentRegistered(
        student_id=ID, email="sam@example.edu", display_name="Sam", time_zone="UTC", country="US", registered_at=NOW
    ),
    student.ProfileUpdated(display_name="Samantha"),
    student.CareerInterestsSet(interests=["Health care"]),
    student.GoalsSet(interviews_per_month=2, requests_per_week=3),
    student.QuestionAdded(question=student.Question(question_id=ID, topic="the work", text="What surprised you?")),
    student.QuestionRemoved(question_id=ID),
    student.AdvisorAccessGranted(advisor_id=ID, scope="notes", via="email", granted_at=NOW),
    student.AdvisorAccessScopeChanged(advisor_id=ID, scope="summary", changed_at=NOW),
    student.AdvisorAccessRevoked(advisor_id=ID, revoked_at=NOW),
]


def test_every_registered_event_has_a_sample_here() -> None:
    """The samples below are the registry's events, no more and no fewer."""
    sampled: list[Event] = [*CONTACT_SAMPLES, *STUDENT_SAMPLES]
    assert sorted(type(e).__name__ for e in sampled) == sorted(event_registry().names())
    assert {type(e) for e in CONTACT_SAMPLES} == set(contact.CONTACT_EVENTS)
    assert {type(e) for e in STUDENT_SAMPLES} == set(student.STUDENT_EVENTS)


@pytest.mark.parametrize("event", CONTACT_SAMPLES, ids=lambda e: type(e).__name__)
def test_a_contact_event_is_folded_and_told(event: contact.ContactEvent) -> None:
    added = evolve(ContactState(), CONTACT_SAMPLES[0], NOW)
    after = evolve(added, event, NOW)
    assert isinstance(after, ContactState)
    sentence = describe(event)
    assert sentence != type(event).__name__
    assert sentence.endswith("."), sentence


@pytest.mark.parametrize("event", STUDENT_SAMPLES, ids=lambda e: type(e).__name__)
def test_a_student_event_is_folded(event: student.StudentEvent) -> None:
    registered = evolve_student(StudentState(), STUDENT_SAMPLES[0])
    assert isinstance(evolve_student(registered, event), StudentState)


def test_an_event_of_another_stream_is_refused_by_a_fold() -> None:
    with pytest.raises(TypeError, match="NoteAdded is not an event of a student's stream"):
        student.student_event(contact.NoteAdded(text="x", noted_at=NOW))
    with pytest.raises(TypeError, match="GoalsSet is not an event of a contact's stream"):
        contact.contact_event(student.GoalsSet(interviews_per_month=1, requests_per_week=1))
