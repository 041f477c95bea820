"""Every refusal of a contact's commands, whole: its class, its stable code and its exact message.

REST answers a refusal with the class's problem type and the message as the problem's detail, so the
wording is part of the API. The 5-minute slack for phone clocks (commands/rules.py) is pinned to the
microsecond on every command that takes a time.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

import pytest

from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.eventstore.events import Event
from backend.relationships.commands import decide
from backend.relationships.commands.contact import (
    AddContact,
    AddNote,
    ArchiveContact,
    EditContactDetails,
    EraseContact,
    RestoreContact,
    add_contact,
)
from backend.relationships.commands.follow_through import (
    AddActionItem,
    CompleteActionItem,
    KeepInTouch,
    RecordReferral,
    RecordReflection,
    SendThanks,
    record_referral,
)
from backend.relationships.commands.interview import (
    CancelInterview,
    RecordInterviewHeld,
    RescheduleInterview,
    ScheduleInterview,
)
from backend.relationships.commands.request import FollowUpRequest, RecordAnswer, RequestInterview
from backend.relationships.events import (
    ActionItemAdded,
    ActionItemCompleted,
    ContactAdded,
    ContactArchived,
    InterviewCancelled,
    InterviewHeld,
    InterviewRequested,
    InterviewScheduled,
    KeptInTouch,
    ReferralReceived,
    RequestAnswered,
    RequestFollowedUp,
    ThanksSent,
    contact_stream,
)
from backend.relationships.state import ContactState
from tests.unit.decide_support import CONTACT, ERASED, MEETING, NOW, STUDENT, given

pytestmark = pytest.mark.unit

SECOND_MEETING = UUID(int=11)
UNKNOWN = UUID(int=99)
ITEM = UUID(int=20)
REFERRED = UUID(int=3)

ADDED = ContactAdded(
    contact_id=CONTACT, student_id=STUDENT, name="Ada Lovelace", how_found="alumni", added_at=NOW - timedelta(days=10)
)
REQUESTED = InterviewRequested(channel="email", format="video", minutes=20, sent_at=NOW - timedelta(days=8))
ACCEPTED = RequestAnswered(answer="accepted", answered_at=NOW - timedelta(days=7))
DECLINED = RequestAnswered(answer="declined", answered_at=NOW - timedelta(days=7))
SCHEDULED = InterviewScheduled(interview_id=MEETING, starts_at=NOW - timedelta(days=3), minutes=30, format="video")
HELD = InterviewHeld(interview_id=MEETING, held_at=NOW - timedelta(days=3), minutes=30)
CANCELLED = InterviewCancelled(interview_id=MEETING, by="contact")
ARCHIVED = ContactArchived(archived_at=NOW - timedelta(days=1))
ITEM_ADDED = ActionItemAdded(item_id=ITEM, what="Read SICP", due=date(2026, 4, 1))
ITEM_DONE = ActionItemCompleted(item_id=ITEM, completed_at=NOW - timedelta(days=1))
MET = (ADDED, REQUESTED, ACCEPTED, SCHEDULED, HELD)

Refusal = tuple[type[Exception], str, str]


def refusal(decision: Callable[[], object]) -> Refusal:
    """What `decision` raises: its class, its stable code and its whole message."""
    with pytest.raises(DomainError) as caught:
        decision()
    return type(caught.value), caught.value.code, str(caught.value)


def rule(code: str, message: str) -> Refusal:
    return DomainError, code, message


class Row(NamedTuple):
    name: str
    command: object
    history: tuple[Event, ...]
    refused: Refusal


NO_CONTACT: Refusal = (NotFoundError, "not-found", "No such contact.")
NO_INTERVIEW: Refusal = (NotFoundError, "not-found", "No such interview for this contact.")
ANSWERED = rule("request-answered", "This request has already been answered.")

ROWS = [
    Row("edit a missing contact", EditContactDetails(title="CTO"), (), NO_CONTACT),
    Row(
        "edit an erased contact",
        EditContactDetails(title="CTO"),
        (ADDED, ERASED),
        rule("contact-erased", "This contact was erased; nothing more can be recorded."),
    ),
    Row(
        "edit an archived contact",
        EditContactDetails(title="CTO"),
        (ADDED, ARCHIVED),
        rule("contact-archived", "This contact is archived; restore it first."),
    ),
    Row("note on a missing contact", AddNote(text="Hi"), (), NO_CONTACT),
    Row("erase a missing contact", EraseContact(), (), NO_CONTACT),
    Row(
        "archive twice",
        ArchiveContact(),
        (ADDED, ARCHIVED),
        rule("already-archived", "This contact is already archived."),
    ),
    Row("restore an active contact", RestoreContact(), (ADDED,), rule("not-archived", "This contact is not archived.")),
    Row(
        "schedule while one is scheduled",
        ScheduleInterview(starts_at=NOW, format="video", interview_id=SECOND_MEETING),
        (ADDED, SCHEDULED),
        rule("already-scheduled", "An interview with this contact is already scheduled; reschedule it."),
    ),
    Row(
        "schedule after a no",
        ScheduleInterview(starts_at=NOW, format="video", interview_id=MEETING),
        (ADDED, REQUESTED, DECLINED),
        rule("declined", "This contact declined; send a new request first."),
    ),
    Row(
        "schedule with a used id",
        ScheduleInterview(starts_at=NOW, format="video", interview_id=MEETING),
        (ADDED, SCHEDULED, CANCELLED),
        rule("interview-exists", "This interview id is already used."),
    ),
    Row(
        "reschedule an unknown interview",
        RescheduleInterview(interview_id=UNKNOWN, starts_at=NOW),
        (ADDED, SCHEDULED),
        NO_INTERVIEW,
    ),
    Row(
        "reschedule a held interview",
        RescheduleInterview(interview_id=MEETING, starts_at=NOW),
        MET,
        rule("not-scheduled", "This interview is held; it cannot be rescheduled."),
    ),
    Row(
        "cancel a cancelled interview",
        CancelInterview(interview_id=MEETING),
        (ADDED, SCHEDULED, CANCELLED),
        rule("not-scheduled", "This interview is cancelled; it cannot be cancelled."),
    ),
    Row("cancel an unknown interview", CancelInterview(interview_id=UNKNOWN), (ADDED, SCHEDULED), NO_INTERVIEW),
    Row(
        "hold a held interview",
        RecordInterviewHeld(interview_id=MEETING),
        MET,
        rule("not-scheduled", "This interview is held; it cannot be held."),
    ),
    Row("hold an unknown interview", RecordInterviewHeld(interview_id=UNKNOWN), (ADDED, SCHEDULED), NO_INTERVIEW),
    Row(
        "request while one is scheduled",
        RequestInterview(channel="email", format="video"),
        (ADDED, SCHEDULED),
        rule("already-scheduled", "An interview with this contact is already scheduled."),
    ),
    Row(
        "request while one waits",
        RequestInterview(channel="email", format="video"),
        (ADDED, REQUESTED),
        rule("request-pending", "A request to this contact is still waiting for an answer; follow up instead."),
    ),
    Row(
        "follow up on nothing",
        FollowUpRequest(channel="email"),
        (ADDED,),
        rule("no-request", "There is no request to follow up on; send a request first."),
    ),
    Row("follow up on an answered request", FollowUpRequest(channel="email"), (ADDED, REQUESTED, ACCEPTED), ANSWERED),
    Row(
        "answer nothing",
        RecordAnswer(answer="accepted"),
        (ADDED,),
        rule("no-request", "An answer needs a request that was sent; record the request first."),
    ),
    Row("answer twice", RecordAnswer(answer="declined"), (ADDED, REQUESTED, ACCEPTED), ANSWERED),
    Row(
        "thank for an interview not held",
        SendThanks(helpful_thing="The advice", interview_id=MEETING),
        (ADDED, SCHEDULED),
        rule("not-held", "Thanks are for an interview that was held; record it as held first."),
    ),
    Row(
        "thank before any interview",
        SendThanks(helpful_thing="The advice"),
        (ADDED, REQUESTED),
        rule("not-held", "There is no held interview to thank this contact for."),
    ),
    Row(
        "thank for an unknown interview",
        SendThanks(helpful_thing="The advice", interview_id=UNKNOWN),
        MET,
        NO_INTERVIEW,
    ),
    Row(
        "an action item id twice",
        AddActionItem(what="Read SICP", due=date(2026, 4, 1), item_id=ITEM),
        (*MET, ITEM_ADDED),
        rule("item-exists", "This action item already exists."),
    ),
    Row(
        "complete an unknown action item",
        CompleteActionItem(item_id=UNKNOWN),
        (*MET, ITEM_ADDED),
        (NotFoundError, "not-found", "No such action item for this contact."),
    ),
    Row(
        "complete an action item twice",
        CompleteActionItem(item_id=ITEM),
        (*MET, ITEM_ADDED, ITEM_DONE),
        rule("item-done", "This action item is already done."),
    ),
    Row(
        "keep in touch before meeting",
        KeepInTouch(),
        (ADDED, REQUESTED),
        rule("not-held", "Staying in touch follows an interview; until then, follow up on the request."),
    ),
    Row("reflect on a missing contact", RecordReflection(learned="Plenty"), (), NO_CONTACT),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_each_refusal_is_whole(row: Row) -> None:
    state = given(*row.history)
    assert refusal(lambda: decide(row.command, state, NOW)) == row.refused


def test_refusals_of_the_commands_that_take_more_than_a_state() -> None:
    add = AddContact(name="Ada", how_found="alumni", contact_id=CONTACT)
    assert refusal(lambda: add_contact(add, given(ADDED), NOW, student_id=STUDENT)) == rule(
        "contact-exists", "This contact already exists."
    )
    referred = AddContact(name="Grace", how_found="referral", contact_id=CONTACT)
    assert refusal(lambda: add_contact(referred, ContactState(), NOW, student_id=STUDENT)) == rule(
        "referral-needs-referrer", "A referral is recorded on the contact who referred you, which adds this person."
    )
    again = RecordReferral(name="Grace", referred_contact_id=REFERRED)
    already = given(
        *MET,
        ReferralReceived(
            referred_contact_id=REFERRED,
            referred_stream=contact_stream(STUDENT, REFERRED),
            referred_name="Grace",
            received_at=NOW - timedelta(days=1),
        ),
    )
    assert refusal(lambda: record_referral(again, already, NOW)) == rule(
        "referral-exists", "This referral is already recorded."
    )


def test_the_handler_assigns_every_id() -> None:
    # A programming error, not a refusal: the REST handler always fills these in.
    state = given(*MET)
    with pytest.raises(ValueError, match=r"^the handler assigns the contact id$"):
        add_contact(AddContact(name="Ada", how_found="alumni"), ContactState(), NOW, student_id=STUDENT)
    with pytest.raises(ValueError, match=r"^the handler assigns the interview id$"):
        decide(ScheduleInterview(starts_at=NOW, format="video"), given(ADDED), NOW)
    with pytest.raises(ValueError, match=r"^the handler assigns the item id$"):
        decide(AddActionItem(what="Read SICP", due=date(2026, 4, 1)), state, NOW)
    with pytest.raises(ValueError, match=r"^the handler assigns the referred contact's id$"):
        record_referral(RecordReferral(name="Grace"), state, NOW)


# -- times: the clock slack and the order of steps -------------------------------------------------

SLACK = timedelta(minutes=5)
JUST_PAST = SLACK + timedelta(microseconds=1)


class Timed(NamedTuple):
    what: str
    """The subject of the refusal's sentence: "<what> cannot be in the future." """
    command: Callable[[datetime], object]
    history: tuple[Event, ...]
    event: Callable[[datetime], Event]
    """The one event the command decides when its time is `at`."""


TIMED = [
    Timed(
        "A request's sending time",
        lambda at: RequestInterview(channel="email", format="video", sent_at=at),
        (ADDED,),
        lambda at: InterviewRequested(channel="email", format="video", minutes=20, sent_at=at),
    ),
    Timed(
        "A follow-up's sending time",
        lambda at: FollowUpRequest(channel="phone", sent_at=at),
        (ADDED, REQUESTED),
        lambda at: RequestFollowedUp(channel="phone", sent_at=at),
    ),
    Timed(
        "An answer's time",
        lambda at: RecordAnswer(answer="accepted", answered_at=at),
        (ADDED, REQUESTED),
        lambda at: RequestAnswered(answer="accepted", answered_at=at),
    ),
    Timed(
        "An interview's time",
        lambda at: RecordInterviewHeld(interview_id=MEETING, held_at=at),
        (ADDED, SCHEDULED),
        lambda at: InterviewHeld(interview_id=MEETING, held_at=at, minutes=30),
    ),
    Timed(
        "A thank-you's sending time",
        lambda at: SendThanks(helpful_thing="The advice", sent_at=at),
        MET,
        lambda at: ThanksSent(sent_at=at, channel="email", helpful_thing="The advice"),
    ),
    Timed(
        "A completion time",
        lambda at: CompleteActionItem(item_id=ITEM, completed_at=at),
        (*MET, ITEM_ADDED),
        lambda at: ActionItemCompleted(item_id=ITEM, completed_at=at),
    ),
    Timed(
        "An update's sending time",
        lambda at: KeepInTouch(sent_at=at),
        MET,
        lambda at: KeptInTouch(sent_at=at),
    ),
]


@pytest.mark.parametrize("timed", TIMED, ids=lambda timed: timed.what)
def test_a_time_up_to_five_minutes_ahead_is_taken_as_given(timed: Timed) -> None:
    # Phone clocks run ahead of the server's; five minutes of that is not "the future".
    assert decide(timed.command(NOW + SLACK), given(*timed.history), NOW) == [timed.event(NOW + SLACK)]


@pytest.mark.parametrize("timed", TIMED, ids=lambda timed: timed.what)
def test_a_time_further_ahead_is_refused(timed: Timed) -> None:
    state = given(*timed.history)
    assert refusal(lambda: decide(timed.command(NOW + JUST_PAST), state, NOW)) == (
        ValidationFailedError,
        "invalid-input",
        f"{timed.what} cannot be in the future.",
    )


def test_a_referral_takes_the_same_slack() -> None:
    state = given(*MET)
    on_time = RecordReferral(name="Grace", received_at=NOW + SLACK, referred_contact_id=REFERRED)
    assert record_referral(on_time, state, NOW) == (
        [
            ReferralReceived(
                referred_contact_id=REFERRED,
                referred_stream=contact_stream(STUDENT, REFERRED),
                referred_name="Grace",
                received_at=NOW + SLACK,
            )
        ],
        [
            ContactAdded(
                contact_id=REFERRED,
                student_id=STUDENT,
                name="Grace",
                how_found="referral",
                referred_by=CONTACT,
                added_at=NOW + SLACK,
            )
        ],
    )
    late = RecordReferral(name="Grace", received_at=NOW + JUST_PAST, referred_contact_id=REFERRED)
    assert refusal(lambda: record_referral(late, state, NOW)) == (
        ValidationFailedError,
        "invalid-input",
        "A referral's time cannot be in the future.",
    )


@pytest.mark.parametrize(
    ("command", "history", "message"),
    [
        (
            FollowUpRequest(channel="email", sent_at=REQUESTED.sent_at - timedelta(seconds=1)),
            (ADDED, REQUESTED),
            "A follow-up cannot be before the request.",
        ),
        (
            RecordAnswer(answer="accepted", answered_at=REQUESTED.sent_at - timedelta(seconds=1)),
            (ADDED, REQUESTED),
            "An answer cannot be before the request.",
        ),
        (
            SendThanks(helpful_thing="The advice", sent_at=HELD.held_at - timedelta(seconds=1)),
            MET,
            "A thank-you cannot be before the interview.",
        ),
    ],
)
def test_a_step_cannot_come_before_the_one_it_answers(
    command: object, history: tuple[Event, ...], message: str
) -> None:
    state = given(*history)
    assert refusal(lambda: decide(command, state, NOW)) == (ValidationFailedError, "invalid-input", message)


# -- which interview an unnamed thank-you is for ---------------------------------------------------

SECOND_SCHEDULED = InterviewScheduled(
    interview_id=SECOND_MEETING, starts_at=NOW - timedelta(days=1), minutes=30, format="phone"
)
SECOND_HELD = InterviewHeld(interview_id=SECOND_MEETING, held_at=NOW - timedelta(days=1), minutes=30)
FIRST_THANKED = ThanksSent(interview_id=MEETING, sent_at=NOW - timedelta(days=2), channel="email", helpful_thing="A")


def test_unnamed_thanks_are_checked_against_the_last_interview_not_yet_thanked() -> None:
    # The first interview was thanked; the second, a day ago, was not: thanks dated between the two are
    # for the second, so they come before it.
    state = given(*MET, FIRST_THANKED, SECOND_SCHEDULED, SECOND_HELD)
    between = SendThanks(helpful_thing="The advice", sent_at=NOW - timedelta(days=2))
    assert refusal(lambda: decide(between, state, NOW)) == (
        ValidationFailedError,
        "invalid-input",
        "A thank-you cannot be before the interview.",
    )


def test_unnamed_thanks_once_every_interview_was_thanked_are_for_the_last_one() -> None:
    state = given(*MET, FIRST_THANKED)
    assert decide(SendThanks(helpful_thing=" Again "), state, NOW) == [
        ThanksSent(sent_at=NOW, channel="email", helpful_thing="Again")
    ]
    too_early = SendThanks(helpful_thing="Again", sent_at=HELD.held_at - timedelta(seconds=1))
    assert refusal(lambda: decide(too_early, state, NOW)) == (
        ValidationFailedError,
        "invalid-input",
        "A thank-you cannot be before the interview.",
    )
