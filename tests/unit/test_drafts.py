"""The request, follow-up and thank-you drafts: what the guidance asks them to say, and clean text."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import get_args
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import uuid4

import msgspec
import pytest

from backend.relationships.drafts import HELPFUL_PLACEHOLDER, Draft, follow_up_draft, request_draft, thanks_draft
from backend.relationships.events import (
    ContactAdded,
    ContactErased,
    HowFound,
    InterviewHeld,
    InterviewScheduled,
    MeetingFormat,
)
from backend.relationships.state import ActionItem, ContactState, Interview, fold
from backend.students.state import StudentState

pytestmark = pytest.mark.unit

T0 = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)  # Monday evening in Chicago, Tuesday in UTC
STUDENT = StudentState(
    display_name="Sam Park",
    email="sam@example.edu",
    school="Northwestern University",
    interests=("data science", "public health"),
    time_zone="America/Chicago",
)
CONTACT = ContactState(
    exists=True,
    name="Ana Ruiz",
    title="Senior Epidemiologist",
    organization="County Health Department",
    career_field="public health",
    email="ana.ruiz+work@health.example.org",
    how_found="alumni",
)
SPARSE_CONTACT = ContactState(exists=True, name="Ana")
SPARSE_STUDENT = StudentState()


def _text(draft: Draft) -> str:
    return f"{draft.subject}\n{draft.body}"


def test_request_says_who_why_how_heard_not_a_job_format_and_length() -> None:
    draft = request_draft(CONTACT, STUDENT, format="phone", minutes=20, referrer_name="Dr. Lee")
    text = draft.body
    assert text.startswith("Dear Ana,\n")
    assert "Sam Park" in text
    assert "Northwestern University" in text
    assert "data science and public health" in text
    assert "Senior Epidemiologist at County Health Department" in text
    assert "Dr. Lee suggested I reach out" in text
    assert "Dr. Lee" in draft.subject
    assert "not asking for a job" in text
    assert "20-minute phone call" in text
    assert "schedule" in text  # flexibility
    assert "Thank you" in text
    assert 100 <= len(text.split()) <= 180


def test_request_says_how_they_were_found_or_how_the_student_heard() -> None:
    assert "Northwestern University alumni network" in request_draft(CONTACT, STUDENT).body
    heard = request_draft(CONTACT, STUDENT, how_heard="your talk at the public health colloquium.")
    assert "I learned about your work through your talk at the public health colloquium." in heard.body


@pytest.mark.parametrize(
    ("format", "phrase"),
    [("phone", "phone call"), ("video", "video call"), ("in_person", "conversation in person")],
)
def test_request_names_the_format(format: MeetingFormat, phrase: str) -> None:
    assert f"20-minute {phrase}" in request_draft(CONTACT, STUDENT, format=format).body


@pytest.mark.parametrize(("asked", "said"), [(5, 15), (15, 15), (25, 25), (30, 30), (90, 30)])
def test_request_keeps_to_15_to_30_minutes(asked: int, said: int) -> None:
    assert f"{said}-minute" in request_draft(CONTACT, STUDENT, minutes=asked).body


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Ana Ruiz", "Dear Ana,"),
        ("Dr. Jane Lee", "Dear Dr. Jane Lee,"),
        ("Prof Kim", "Dear Prof Kim,"),
        ("  Ana   Maria Ruiz ", "Dear Ana,"),
        ("", "Hello,"),
    ],
)
def test_greeting_uses_the_first_name_unless_there_is_a_title(name: str, greeting: str) -> None:
    contact = msgspec.structs.replace(CONTACT, name=name)
    assert request_draft(contact, STUDENT).body.splitlines()[0] == greeting


def test_follow_up_refers_to_the_request_on_the_students_local_date() -> None:
    contact = msgspec.structs.replace(CONTACT, requested_at=T0, request_minutes=20, request_format="video")
    draft = follow_up_draft(contact, STUDENT)
    assert "following up on my message of Monday, March 3, asking for a 20-minute conversation" in draft.body
    in_utc = follow_up_draft(contact, msgspec.structs.replace(STUDENT, time_zone="UTC"))
    assert "Tuesday, March 4" in in_utc.body
    assert "Follow" in draft.subject


def test_thanks_names_what_helped_the_day_next_steps_and_staying_in_touch() -> None:
    interview = Interview(interview_id=uuid4(), starts_at=T0, minutes=20, format="video", held_at=T0)
    item = ActionItem(item_id=uuid4(), what="read The Ghost Map", due=date(2025, 3, 20))
    contact = msgspec.structs.replace(CONTACT, action_items=(item,))
    draft = thanks_draft(contact, STUDENT, interview=interview, helpful_thing="your advice to volunteer first.")
    assert "I especially appreciated your advice to volunteer first;" in draft.body
    assert "on Monday" in draft.body  # the student's day, not UTC's
    assert "read The Ghost Map" in draft.body
    assert "stay in touch" in draft.body
    assert HELPFUL_PLACEHOLDER not in draft.body
    assert len(draft.body.split()) <= 120


def test_thanks_without_the_helpful_thing_leaves_a_placeholder_to_fill() -> None:
    assert HELPFUL_PLACEHOLDER in thanks_draft(CONTACT, STUDENT).body


def test_thanks_finds_the_interview_in_a_folded_history() -> None:
    cid, iid = uuid4(), uuid4()
    state = fold(
        [
            (
                ContactAdded(contact_id=cid, student_id=uuid4(), name="Ana Ruiz", how_found="colloquium", added_at=T0),
                T0,
            ),
            (InterviewScheduled(interview_id=iid, starts_at=T0, minutes=20, format="phone"), T0),
            (InterviewHeld(interview_id=iid, held_at=T0, minutes=20), T0),
        ]
    )
    draft = thanks_draft(state, STUDENT, helpful_thing="the reading list")
    assert "on Monday" in draft.body
    assert "the reading list" in draft.body
    assert draft.to is None


@pytest.mark.parametrize("make", [request_draft, follow_up_draft, thanks_draft])
def test_mailto_round_trips_to_the_same_address_subject_and_body(
    make: Callable[[ContactState, StudentState], Draft],
) -> None:
    draft = make(CONTACT, STUDENT)
    assert draft.to == "ana.ruiz+work@health.example.org"
    assert draft.mailto is not None
    assert not re.search(r"[\s+]", draft.mailto)  # spaces and "+" are percent-encoded
    url = urlsplit(draft.mailto)
    assert url.scheme == "mailto"
    assert unquote(url.path) == draft.to
    query = parse_qs(url.query, strict_parsing=True)
    assert query["subject"] == [draft.subject]
    # RFC 6068: line breaks in a body are CRLF.
    assert query["body"][0] == draft.body.replace("\n", "\r\n")


def test_no_email_means_no_recipient_and_no_mailto() -> None:
    for draft in (request_draft(SPARSE_CONTACT, STUDENT), thanks_draft(SPARSE_CONTACT, STUDENT)):
        assert draft.to is None
        assert draft.mailto is None


def test_an_erased_contact_is_greeted_without_a_name() -> None:
    state = fold(
        [
            (
                ContactAdded(
                    contact_id=uuid4(),
                    student_id=uuid4(),
                    name="Ana Ruiz",
                    email="ana@example.org",
                    how_found="cold",
                    added_at=T0,
                ),
                T0,
            ),
            (ContactErased(erased_at=T0), T0),
        ]
    )
    draft = request_draft(state, STUDENT)
    assert draft.body.startswith("Hello,\n")
    assert "erased" not in draft.body
    assert draft.mailto is None


def _assert_clean(text: str) -> None:
    assert "None" not in text
    assert "  " not in text
    assert not re.search(r" [.,;:]", text)  # nothing dangling, like "at ."
    assert not re.search(r"\b(at|as|in|of|from|by)[.,]", text)
    assert "[erased]" not in text


@pytest.mark.parametrize("how_found", get_args(HowFound))
@pytest.mark.parametrize("format", get_args(MeetingFormat))
def test_a_sparse_contact_and_student_give_clean_text(how_found: HowFound, format: MeetingFormat) -> None:
    contact = msgspec.structs.replace(SPARSE_CONTACT, how_found=how_found)
    for student in (STUDENT, SPARSE_STUDENT):
        _assert_clean(_text(request_draft(contact, student, format=format)))
        _assert_clean(_text(follow_up_draft(contact, student)))
        _assert_clean(_text(thanks_draft(contact, student, helpful_thing="")))


def test_every_partial_combination_of_role_gives_clean_text() -> None:
    for title in (None, "", "Engineer"):
        for organization in (None, "  ", "Acme"):
            for field in (None, "robotics"):
                contact = msgspec.structs.replace(
                    SPARSE_CONTACT, title=title, organization=organization, career_field=field
                )
                for draft in (request_draft(contact, STUDENT), follow_up_draft(contact, STUDENT)):
                    _assert_clean(_text(draft))


def test_a_draft_serializes_with_its_four_fields() -> None:
    encoded = msgspec.json.decode(msgspec.json.encode(request_draft(SPARSE_CONTACT, STUDENT)))
    assert set(encoded) == {"to", "subject", "body", "mailto"}
