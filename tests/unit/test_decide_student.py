"""Given/when/then for a student's own stream: profile, career interests, goals, the question bank.

Consent (advisor grants) has its own file, test_decide_consent.py; the exact wording of its refusals is
pinned here with the others, since REST shows a refusal's message as the problem's detail.
"""

from datetime import UTC, datetime
from functools import reduce
from typing import cast
from uuid import UUID

import pytest
from msgspec.structs import replace

from backend.errors import DomainError, NotFoundError, ValidationFailedError
from backend.relationships.events import NoteAdded
from backend.students.commands import (
    MAX_QUESTIONS,
    AddQuestion,
    AlreadyGrantedError,
    ChangeAdvisorScope,
    GrantAdvisorAccess,
    NoSuchAdvisorError,
    NotGrantedError,
    RemoveQuestion,
    RevokeAdvisorAccess,
    SetCareerInterests,
    SetGoals,
    UpdateProfile,
    decide,
)
from backend.students.events import (
    AdvisorAccessGranted,
    AdvisorAccessScopeChanged,
    CareerInterestsSet,
    GoalsSet,
    ProfileUpdated,
    Question,
    QuestionAdded,
    QuestionRemoved,
    StudentEvent,
    StudentRegistered,
)
from backend.students.state import AdvisorGrant, Goals, StudentState, evolve

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
EARLIER = datetime(2026, 11, 1, 9, tzinfo=UTC)
STUDENT = UUID(int=1)
ADVISOR = UUID(int=2)
QUESTION = UUID(int=30)
OTHER_QUESTION = UUID(int=31)

REGISTERED = StudentRegistered(
    student_id=STUDENT,
    email="sam@example.edu",
    display_name="Sam Park",
    time_zone="America/Toronto",
    country="CA",
    registered_at=EARLIER,
)
REGISTERED_STATE = StudentState(
    exists=True,
    student_id=STUDENT,
    email="sam@example.edu",
    display_name="Sam Park",
    time_zone="America/Toronto",
    country="CA",
    registered_at=EARLIER,
)
WITH_SCHOOL = ProfileUpdated(school="Northwestern University")
ASKED = Question(question_id=QUESTION, topic="the_work", text="What surprised you?")
OTHER_ASKED = Question(question_id=OTHER_QUESTION, topic="advice", text="What would you do again?")


def given(*events: StudentEvent) -> StudentState:
    return reduce(evolve, events, StudentState())


def refusal(command: object, state: StudentState) -> tuple[type[Exception], str, str]:
    """What deciding `command` raises: its class, its stable code and its whole message."""
    with pytest.raises(DomainError) as caught:
        decide(command, state, NOW)
    return type(caught.value), caught.value.code, str(caught.value)


# -- profile -------------------------------------------------------------------------------------


def test_a_profile_update_records_every_changed_field_trimmed_and_the_country_upper_case() -> None:
    cmd = UpdateProfile(display_name="  Sam Park-Lee ", school=" Oxford ", time_zone="Europe/London", country="gb")
    assert decide(cmd, given(REGISTERED, WITH_SCHOOL), NOW) == [
        ProfileUpdated(display_name="Sam Park-Lee", school="Oxford", time_zone="Europe/London", country="GB")
    ]


def test_a_profile_update_records_only_what_changed() -> None:
    cmd = UpdateProfile(display_name="Sam Park", school="Oxford", time_zone="America/Toronto", country="ca")
    assert decide(cmd, given(REGISTERED, WITH_SCHOOL), NOW) == [ProfileUpdated(school="Oxford")]


@pytest.mark.parametrize(
    "cmd",
    [
        UpdateProfile(),
        UpdateProfile(display_name=" Sam Park ", school="Northwestern University", country="CA"),
        UpdateProfile(time_zone="America/Toronto", country="ca"),
    ],
)
def test_a_profile_update_that_changes_nothing_records_nothing(cmd: UpdateProfile) -> None:
    assert decide(cmd, given(REGISTERED, WITH_SCHOOL), NOW) == []


def test_an_empty_school_clears_one_that_is_set_and_changes_nothing_otherwise() -> None:
    assert decide(UpdateProfile(school=""), given(REGISTERED, WITH_SCHOOL), NOW) == [ProfileUpdated(school="")]
    assert decide(UpdateProfile(school=" "), given(REGISTERED), NOW) == []


def test_a_profile_update_refuses_an_unknown_time_zone_or_country() -> None:
    state = given(REGISTERED)
    assert refusal(UpdateProfile(time_zone="Mars/Olympus"), state) == (
        ValidationFailedError,
        "invalid-input",
        "'Mars/Olympus' is not an IANA time zone such as 'America/New_York'.",
    )
    assert refusal(UpdateProfile(country="zz"), state) == (
        ValidationFailedError,
        "invalid-input",
        "'zz' is not a country code with a holiday calendar, such as 'US'.",
    )


# -- interests and goals -------------------------------------------------------------------------


def test_interests_are_trimmed_deduplicated_in_order_and_blanks_dropped() -> None:
    cmd = SetCareerInterests(interests=["  Public health ", " ", "Data science", "Public health"])
    assert decide(cmd, given(REGISTERED), NOW) == [CareerInterestsSet(interests=["Public health", "Data science"])]


def test_the_same_interests_record_nothing_and_an_empty_list_clears_them() -> None:
    state = given(REGISTERED, CareerInterestsSet(interests=["Public health", "Data science"]))
    assert decide(SetCareerInterests(interests=["Public health ", "Data science"]), state, NOW) == []
    assert decide(SetCareerInterests(interests=[]), state, NOW) == [CareerInterestsSet(interests=[])]


def test_goals_are_recorded_when_either_number_changes() -> None:
    state = given(REGISTERED)  # the default goals: 2 interviews a month, 2 requests a week
    assert decide(SetGoals(interviews_per_month=4, requests_per_week=2), state, NOW) == [
        GoalsSet(interviews_per_month=4, requests_per_week=2)
    ]
    assert decide(SetGoals(interviews_per_month=2, requests_per_week=5), state, NOW) == [
        GoalsSet(interviews_per_month=2, requests_per_week=5)
    ]
    assert decide(SetGoals(interviews_per_month=2, requests_per_week=2), state, NOW) == []


# -- the question bank ---------------------------------------------------------------------------


def test_add_a_question_trimmed_with_its_topic() -> None:
    cmd = AddQuestion(text="  What surprised you? ", topic="the_work", question_id=QUESTION)
    assert decide(cmd, given(REGISTERED), NOW) == [QuestionAdded(question=ASKED)]


def test_a_question_defaults_to_the_topic_other() -> None:
    cmd = AddQuestion(text="Anything else?", question_id=QUESTION)
    assert decide(cmd, given(REGISTERED), NOW) == [
        QuestionAdded(question=Question(question_id=QUESTION, topic="other", text="Anything else?"))
    ]


def test_a_question_id_is_used_once() -> None:
    cmd = AddQuestion(text="Again?", question_id=QUESTION)
    assert refusal(cmd, given(REGISTERED, QuestionAdded(question=ASKED))) == (
        DomainError,
        "question-exists",
        "This question is already in your bank.",
    )


def test_the_handler_assigns_the_question_id() -> None:
    with pytest.raises(ValueError, match=r"^the handler assigns the question id$"):
        decide(AddQuestion(text="Why?"), given(REGISTERED), NOW)


def test_a_bank_holds_at_most_100_questions() -> None:
    def bank(size: int) -> StudentState:
        questions = tuple(Question(question_id=UUID(int=1000 + n), topic="other", text=f"Q{n}?") for n in range(size))
        return StudentState(exists=True, student_id=STUDENT, questions=questions)

    cmd = AddQuestion(text="One more?", question_id=QUESTION)
    last = Question(question_id=QUESTION, topic="other", text="One more?")
    assert decide(cmd, bank(MAX_QUESTIONS - 1), NOW) == [QuestionAdded(question=last)]
    assert MAX_QUESTIONS == 100
    assert refusal(cmd, bank(MAX_QUESTIONS)) == (
        DomainError,
        "too-many-questions",
        "A question bank holds at most 100 questions.",
    )


def test_remove_a_question() -> None:
    state = given(REGISTERED, QuestionAdded(question=ASKED), QuestionAdded(question=OTHER_ASKED))
    assert decide(RemoveQuestion(question_id=OTHER_QUESTION), state, NOW) == [
        QuestionRemoved(question_id=OTHER_QUESTION)
    ]


def test_removing_a_question_that_is_not_in_the_bank_is_refused() -> None:
    state = given(REGISTERED, QuestionAdded(question=ASKED))
    assert refusal(RemoveQuestion(question_id=OTHER_QUESTION), state) == (
        NotFoundError,
        "not-found",
        "No such question in your bank.",
    )


# -- refusals shared by every command ------------------------------------------------------------


@pytest.mark.parametrize(
    "cmd",
    [
        UpdateProfile(display_name="Sam"),
        SetCareerInterests(interests=["Law"]),
        SetGoals(interviews_per_month=1, requests_per_week=1),
        AddQuestion(text="Why?", question_id=QUESTION),
        RemoveQuestion(question_id=QUESTION),
        GrantAdvisorAccess(advisor_id=ADVISOR, scope="notes", via="email"),
        ChangeAdvisorScope(advisor_id=ADVISOR, scope="notes"),
        RevokeAdvisorAccess(advisor_id=ADVISOR),
    ],
    ids=lambda cmd: type(cmd).__name__,
)
def test_nothing_is_decided_for_a_student_who_does_not_exist(cmd: object) -> None:
    assert refusal(cmd, StudentState()) == (NotFoundError, "not-found", "No such student.")


def test_consent_refusals_say_what_to_do_instead() -> None:
    granted = given(REGISTERED, AdvisorAccessGranted(advisor_id=ADVISOR, scope="notes", via="email", granted_at=NOW))
    assert refusal(GrantAdvisorAccess(advisor_id=STUDENT, scope="notes", via="email"), granted) == (
        NoSuchAdvisorError,
        "no-such-advisor",
        "You cannot grant yourself access.",
    )
    assert refusal(GrantAdvisorAccess(advisor_id=ADVISOR, scope="summary", via="email"), granted) == (
        AlreadyGrantedError,
        "advisor-already-granted",
        "Change its scope (PATCH) or revoke it (DELETE) instead.",
    )
    not_granted = (NotGrantedError, "advisor-not-granted", "You have not granted this advisor access.")
    assert refusal(ChangeAdvisorScope(advisor_id=ADVISOR, scope="summary"), given(REGISTERED)) == not_granted
    assert refusal(RevokeAdvisorAccess(advisor_id=ADVISOR), given(REGISTERED)) == not_granted


def test_a_command_without_a_decider_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match=r"^no decider for str$"):
        decide("update", given(REGISTERED), NOW)


# -- evolve --------------------------------------------------------------------------------------


def test_registration_is_the_whole_state() -> None:
    # Every field differs from StudentState's defaults, so none can be dropped unnoticed.
    assert given(REGISTERED) == REGISTERED_STATE


def test_a_profile_update_sets_what_it_names_and_leaves_what_it_omits() -> None:
    updated = ProfileUpdated(display_name="Sam Lee", school="Oxford", time_zone="Europe/London", country="GB")
    assert given(REGISTERED, updated) == replace(
        REGISTERED_STATE, display_name="Sam Lee", school="Oxford", time_zone="Europe/London", country="GB"
    )
    assert given(REGISTERED, WITH_SCHOOL, ProfileUpdated(country="FR")) == replace(
        REGISTERED_STATE, school="Northwestern University", country="FR"
    )


def test_an_empty_school_clears_it() -> None:
    assert given(REGISTERED, WITH_SCHOOL, ProfileUpdated(school="")) == REGISTERED_STATE


def test_interests_and_goals_replace_the_previous_ones() -> None:
    state = given(
        REGISTERED,
        CareerInterestsSet(interests=["Law"]),
        GoalsSet(interviews_per_month=1, requests_per_week=1),
        CareerInterestsSet(interests=["Public health", "Data science"]),
        GoalsSet(interviews_per_month=4, requests_per_week=3),
    )
    assert state == replace(
        REGISTERED_STATE,
        interests=("Public health", "Data science"),
        goals=Goals(interviews_per_month=4, requests_per_week=3),
    )


def test_questions_are_added_replaced_by_id_and_removed() -> None:
    reworded = Question(question_id=QUESTION, topic="advice", text="What surprised you most?")
    assert given(REGISTERED, QuestionAdded(question=ASKED), QuestionAdded(question=OTHER_ASKED)) == replace(
        REGISTERED_STATE, questions=(ASKED, OTHER_ASKED)
    )
    # Adding an id that is already there replaces that question (and moves it last).
    assert given(
        REGISTERED, QuestionAdded(question=ASKED), QuestionAdded(question=OTHER_ASKED), QuestionAdded(question=reworded)
    ) == replace(REGISTERED_STATE, questions=(OTHER_ASKED, reworded))
    assert given(
        REGISTERED,
        QuestionAdded(question=ASKED),
        QuestionAdded(question=OTHER_ASKED),
        QuestionRemoved(question_id=QUESTION),
    ) == replace(REGISTERED_STATE, questions=(OTHER_ASKED,))


def test_a_changed_scope_replaces_the_grant_in_place() -> None:
    other = UUID(int=3)
    state = given(
        REGISTERED,
        AdvisorAccessGranted(advisor_id=ADVISOR, scope="summary", via="email", granted_at=EARLIER),
        AdvisorAccessGranted(advisor_id=other, scope="summary", via="invite_code", granted_at=EARLIER),
        AdvisorAccessScopeChanged(advisor_id=ADVISOR, scope="notes", changed_at=NOW),
    )
    assert state == replace(
        REGISTERED_STATE,
        advisors=(AdvisorGrant(advisor_id=ADVISOR, scope="notes"), AdvisorGrant(advisor_id=other, scope="summary")),
    )


def test_an_event_of_another_stream_is_not_silently_ignored() -> None:
    # mypy refuses this call; at run time the fold's assert_never still stops it, naming the event.
    stray = cast(StudentEvent, NoteAdded(text="Likes chess", noted_at=NOW))
    with pytest.raises(AssertionError, match=r"but got: NoteAdded\("):
        evolve(REGISTERED_STATE, stray)
