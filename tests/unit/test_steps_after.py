"""`stepsAfter`: what a phone offline may offer after a step it queued, by the same rules as `nextSteps`."""

from datetime import timedelta

import pytest

from backend.relationships.commands import decide
from backend.relationships.commands.follow_through import SendThanks
from backend.relationships.commands.interview import RecordInterviewHeld
from backend.relationships.events import ContactAdded, InterviewScheduled
from backend.relationships.views import next_steps, steps_after
from tests.unit.decide_support import CONTACT, MEETING, NOW, STUDENT, given

pytestmark = pytest.mark.unit

ADDED = ContactAdded(contact_id=CONTACT, student_id=STUDENT, name="Ana Lee", how_found="alumni", added_at=NOW)
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=NOW + timedelta(days=1), minutes=30, format="video")


def test_after_a_queued_interview_the_thanks_is_offered() -> None:
    state = given(ADDED, SCHEDULED)
    after = steps_after(state, next_steps(state))
    assert "thanks" not in next_steps(state)
    assert "thanks" in after["held"]
    assert "held" not in after["held"]


def test_what_it_offers_is_what_the_rules_then_accept() -> None:
    state = given(ADDED, SCHEDULED)
    held = decide(RecordInterviewHeld(interview_id=MEETING, minutes=30), state, NOW)
    later = given(ADDED, SCHEDULED, *held)
    assert steps_after(state, next_steps(state))["held"] == next_steps(later)
    assert decide(SendThanks(helpful_thing="the list of societies", channel="email"), later, NOW)


def test_only_allowed_steps_get_an_entry() -> None:
    state = given(ADDED)
    after = steps_after(state, next_steps(state))
    assert "held" not in after
    assert "thanks" not in after
    assert set(after) <= set(next_steps(state))
    assert "schedule" in after["request"]
