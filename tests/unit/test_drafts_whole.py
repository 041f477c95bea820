"""The drafts read whole: every sentence of the request, the follow-up and the thank-you, for full and sparse data.

test_drafts.py checks what the guidance asks of each draft; here each draft is compared whole, so a
sentence that changes, goes missing or shows up where it should not (a thank-you promising what is
already done) fails.
"""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from msgspec.structs import replace

from backend.relationships.drafts import Draft, follow_up_draft, mailto_url, request_draft, thanks_draft
from backend.relationships.state import ActionItem, ContactState, Interview, Referral
from backend.students.state import StudentState

pytestmark = pytest.mark.unit

MONDAY = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # 9:00 on Monday in Chicago
TUESDAY = MONDAY + timedelta(days=1)
EMAIL = "ana.ruiz+work@health.example.org"

STUDENT = StudentState(
    display_name="Sam Park",
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
    email=EMAIL,
    how_found="alumni",
)
NOT_A_JOB = (
    "I am not asking for a job or an internship. I am hoping to learn from your experience: how you got where you "
    "are, what your work is like day to day, and what you would advise someone starting out."
)
SAM_AT_NORTHWESTERN = "Best regards,\nSam Park\nNorthwestern University"


def body(*paragraphs: str) -> str:
    """Paragraphs separated by a blank line, ending in a line break."""
    return "\n\n".join(paragraphs) + "\n"


def draft(to: str | None, subject: str, text: str) -> Draft:
    return Draft(to=to, subject=subject, body=text, mailto=mailto_url(to, subject, text) if to else None)


# -- the request ---------------------------------------------------------------------------------


def test_a_referred_request_from_a_full_profile() -> None:
    assert request_draft(CONTACT, STUDENT, format="phone", minutes=20, referrer_name=" Dr.  Lee ") == draft(
        EMAIL,
        "Referred by Dr. Lee: informational interview request",
        body(
            "Dear Ana,",
            "My name is Sam Park, and I am a student at Northwestern University, exploring careers in data science "
            "and public health. Dr. Lee suggested I reach out to you. I would value your perspective on public "
            "health, and your experience as Senior Epidemiologist at County Health Department is exactly the kind "
            "of path I want to understand.",
            NOT_A_JOB,
            "Would you be open to a 20-minute phone call in the coming weeks? I am happy to fit around your "
            "schedule, and a video call works just as well if that is easier for you.",
            "Thank you for considering it.",
            SAM_AT_NORTHWESTERN,
        ),
    )


def test_a_request_that_says_how_the_student_heard_of_someone_at_an_organization() -> None:
    student = replace(STUDENT, interests=("data science", "public health", "policy"))
    contact = ContactState(exists=True, name="Bo Chen", organization="Acme Labs", how_found="linkedin")
    assert request_draft(contact, student, how_heard="your post on X.") == draft(
        None,
        "Informational interview request from Sam Park, Northwestern University",
        body(
            "Dear Bo,",
            "My name is Sam Park, and I am a student at Northwestern University, exploring careers in data "
            "science, public health and policy. I learned about your work through your post on X. Your experience "
            "at Acme Labs is exactly the kind of path I want to understand.",
            NOT_A_JOB,
            "Would you be open to a 20-minute video call in the coming weeks? I am happy to fit around your "
            "schedule, and a phone call works just as well if that is easier for you.",
            "Thank you for considering it.",
            SAM_AT_NORTHWESTERN,
        ),
    )


def test_a_request_from_an_empty_profile() -> None:
    contact = ContactState(exists=True, name="Ana", career_field="robotics", how_found="career_office")
    assert request_draft(contact, StudentState(), format="in_person", minutes=45) == draft(
        None,
        "Informational interview request",
        body(
            "Dear Ana,",
            "I am a student. I found your name through my school's career office. I would value your perspective "
            "on working in robotics.",
            NOT_A_JOB,
            "Would you be open to a 30-minute conversation in person in the coming weeks? I am happy to fit around "
            "your schedule, and a phone or video call works just as well if that is easier for you.",
            "Thank you for considering it.",
            "Best regards,",
        ),
    )


def test_a_cold_request_with_only_a_name_on_each_side() -> None:
    contact = ContactState(exists=True, name="Ana", how_found="cold")
    assert request_draft(contact, StudentState(display_name="Sam")) == draft(
        None,
        "Informational interview request from Sam",
        body(
            "Dear Ana,",
            "My name is Sam, and I am a student. I would value your perspective on your career path.",
            NOT_A_JOB,
            "Would you be open to a 20-minute video call in the coming weeks? I am happy to fit around your "
            "schedule, and a phone call works just as well if that is easier for you.",
            "Thank you for considering it.",
            "Best regards,\nSam",
        ),
    )


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Lee, Jane", "Dear Lee,"),
        ("X González", "Dear X,"),
        ("Ms. Ana Ruiz", "Dear Ms. Ana Ruiz,"),
        # Names copied from a business card often come in capitals; the honorific is still one.
        ("MX. JORDAN LEE", "Dear MX. JORDAN LEE,"),
    ],
)
def test_the_greeting_takes_the_first_word_without_its_comma(name: str, greeting: str) -> None:
    assert request_draft(replace(CONTACT, name=name), STUDENT).body.split("\n")[0] == greeting


def test_an_erased_contact_is_never_addressed_whatever_its_state_still_holds() -> None:
    # evolve clears the name and email on erasure; the drafts do not rely on that alone.
    erased = replace(CONTACT, erased=True)
    made = request_draft(erased, STUDENT)
    assert (made.to, made.mailto, made.body.split("\n")[0]) == (None, None, "Hello,")


# -- the follow-up -------------------------------------------------------------------------------


def test_a_follow_up_on_a_dated_request() -> None:
    contact = replace(CONTACT, requested_at=MONDAY, request_minutes=20)
    assert follow_up_draft(contact, STUDENT) == draft(
        EMAIL,
        "Following up: informational interview request",
        body(
            "Dear Ana,",
            "I hope you are well. I am following up on my message of Monday, March 3, asking for a 20-minute "
            "conversation to learn about your work at County Health Department. I know how busy things get, so I "
            "completely understand if now is not a good time.",
            "If you are open to it, I would be glad to fit around your schedule. And if you are not available, is "
            "there someone else you would suggest I speak with?",
            "Thank you again for considering it.",
            SAM_AT_NORTHWESTERN,
        ),
    )


def test_a_follow_up_knowing_nothing_of_the_request() -> None:
    assert follow_up_draft(ContactState(exists=True, name="Ana"), StudentState()) == draft(
        None,
        "Following up: informational interview request",
        body(
            "Dear Ana,",
            "I hope you are well. I am following up on my earlier message asking for a short conversation to learn "
            "about your work. I know how busy things get, so I completely understand if now is not a good time.",
            "If you are open to it, I would be glad to fit around your schedule. And if you are not available, is "
            "there someone else you would suggest I speak with?",
            "Thank you again for considering it.",
            "Best regards,",
        ),
    )


# -- the thank-you -------------------------------------------------------------------------------


def _item(n: int, what: str, completed_at: datetime | None = None) -> ActionItem:
    return ActionItem(item_id=UUID(int=n), what=what, due=date(2025, 4, 1), completed_at=completed_at)


def test_a_thank_you_promises_only_what_is_still_open() -> None:
    # Started on Monday, held on Tuesday: the day is the one it was held.
    held = Interview(
        interview_id=UUID(int=1), starts_at=MONDAY, minutes=30, format="video", status="held", held_at=TUESDAY
    )
    contact = replace(
        CONTACT,
        interviews=(held,),
        action_items=(
            _item(2, "Join the IEEE"),
            _item(3, "Try LaTeX."),
            _item(4, "Send my CV", completed_at=TUESDAY),
            _item(5, "  "),
            _item(6, " Read SICP. "),
        ),
        referrals=(Referral(contact_id=UUID(int=9), received_at=TUESDAY),),
    )
    assert thanks_draft(contact, STUDENT, helpful_thing="your tips on LaTeX!") == draft(
        EMAIL,
        "Thank you for the conversation on Tuesday",
        body(
            "Dear Ana,",
            "Thank you for taking the time to talk with me on Tuesday. I especially appreciated your tips on LaTeX; "
            "it gave me a much clearer picture of what working in public health is really like.",
            "Thank you also for suggesting people I could talk to. I will follow through on what we discussed (Join "
            "the IEEE, Try LaTeX and Read SICP) and let you know how it goes. I would love to stay in touch.",
            SAM_AT_NORTHWESTERN,
        ),
    )


def test_a_thank_you_with_every_promise_kept_promises_nothing_in_particular() -> None:
    contact = replace(CONTACT, action_items=(_item(4, "Send my CV", completed_at=TUESDAY),))
    assert thanks_draft(contact, STUDENT, helpful_thing="the reading list") == draft(
        EMAIL,
        "Thank you for your time",
        body(
            "Dear Ana,",
            "Thank you for taking the time to talk with me. I especially appreciated the reading list; it gave me a "
            "much clearer picture of what working in public health is really like.",
            "I am going to act on your suggestions and will let you know how it goes. I would love to stay in touch.",
            SAM_AT_NORTHWESTERN,
        ),
    )


@pytest.mark.parametrize(
    ("contact", "picture"),
    [
        (ContactState(exists=True, name="Ana", organization="Acme Labs"), "working at Acme Labs"),
        (ContactState(exists=True, name="Ana"), "the work"),
    ],
)
def test_a_thank_you_knowing_little_leaves_a_placeholder(contact: ContactState, picture: str) -> None:
    assert thanks_draft(contact, StudentState()) == draft(
        None,
        "Thank you for your time",
        body(
            "Dear Ana,",
            "Thank you for taking the time to talk with me. I especially appreciated [the specific thing that "
            f"helped]; it gave me a much clearer picture of what {picture} is really like.",
            "I am going to act on your suggestions and will let you know how it goes. I would love to stay in touch.",
            "Best regards,",
        ),
    )


# -- mailto --------------------------------------------------------------------------------------


def test_mailto_encodes_everything_but_the_at_sign_and_sends_line_breaks_as_crlf() -> None:
    # "/" too: quote() leaves it alone unless told, and a "/" in a query is not what RFC 6068 sends.
    assert mailto_url("a/b@example.org", "Q/A & more", "one\r\ntwo/2\nthree") == (
        "mailto:a%2Fb@example.org?subject=Q%2FA%20%26%20more&body=one%0D%0Atwo%2F2%0D%0Athree"
    )
