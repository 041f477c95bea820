"""/api/v1/me: the student's own profile, career interests, goals and question bank."""

from datetime import UTC, datetime
from uuid import UUID, uuid5

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from backend.errors import NotFoundError
from backend.eventstore import EventStore
from backend.relationships.views import View
from backend.students import service
from backend.students.commands import AddQuestion, RemoveQuestion, SetCareerInterests, SetGoals, UpdateProfile
from backend.students.state import StudentState
from backend.web.problems import COMMAND_PROBLEMS, READ_PROBLEMS
from backend.web.support import IdempotencyKey, IfMatch, StudentScope, etag, expected_version


class GoalsView(View):
    interviews_per_month: int
    requests_per_week: int


class QuestionView(View):
    id: UUID
    topic: str
    text: str


class ProfileView(View):
    student_id: UUID
    version: int
    email: str
    display_name: str
    school: str | None
    time_zone: str
    country: str
    interests: list[str]
    goals: GoalsView
    questions: list[QuestionView]
    registered_at: datetime | None


def _view(state: StudentState, version: int) -> ProfileView:
    assert state.student_id is not None  # noqa: S101 - rows exist only for registered students
    return ProfileView(
        student_id=state.student_id,
        version=version,
        email=state.email,
        display_name=state.display_name,
        school=state.school,
        time_zone=state.time_zone,
        country=state.country,
        interests=list(state.interests),
        goals=GoalsView(
            interviews_per_month=state.goals.interviews_per_month, requests_per_week=state.goals.requests_per_week
        ),
        questions=[QuestionView(id=q.question_id, topic=q.topic, text=q.text) for q in state.questions],
        registered_at=state.registered_at,
    )


async def _profile(store: EventStore, student: StudentScope, status: int = 200) -> Response[ProfileView]:
    async with store.pool.acquire() as conn:
        state, version = await service.load_student(conn, student.student_id)
    return Response(_view(state, version), status_code=status, headers={"ETag": etag(version)})


async def run_command(
    store: EventStore, student: StudentScope, command: object, if_match: str | None, key: str | None = None
) -> None:
    await service.run(
        store,
        student.student_id,
        command,
        datetime.now(UTC),
        metadata=student.actor(key).metadata,
        if_match=expected_version(if_match),
    )


class MeController(Controller):
    path = "/me"
    tags = ["me"]  # noqa: RUF012 - Litestar's own attribute

    @get(operation_id="GetProfile", responses=READ_PROBLEMS)
    async def get_profile(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore]
    ) -> Response[ProfileView]:
        """Your profile, interests, goals and question bank."""
        return await _profile(store, student)

    @patch(operation_id="UpdateProfile", responses=COMMAND_PROBLEMS)
    async def update_profile(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        data: JSONBody[UpdateProfile],
        if_match: IfMatch = None,
    ) -> Response[ProfileView]:
        """Name, school, time zone and country (the agenda follows your time zone and public holidays)."""
        await run_command(store, student, data, if_match)
        return await _profile(store, student)

    @put("/interests", operation_id="SetCareerInterests", responses=COMMAND_PROBLEMS)
    async def set_interests(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        data: JSONBody[SetCareerInterests],
        if_match: IfMatch = None,
    ) -> Response[ProfileView]:
        """The job types you are exploring."""
        await run_command(store, student, data, if_match)
        return await _profile(store, student)

    @put("/goals", operation_id="SetGoals", responses=COMMAND_PROBLEMS)
    async def set_goals(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        data: JSONBody[SetGoals],
        if_match: IfMatch = None,
    ) -> Response[ProfileView]:
        """How many requests a week and interviews a month you aim for."""
        await run_command(store, student, data, if_match)
        return await _profile(store, student)

    @post("/questions", operation_id="AddQuestion", status_code=HTTP_201_CREATED, responses=COMMAND_PROBLEMS)
    async def add_question(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        data: JSONBody[AddQuestion],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[QuestionView]:
        """Add a question of your own to the bank you prepare from."""
        actor = student.actor(idempotency_key)
        question_id = data.question_id or uuid5(actor.command_id, "question_id")
        command = AddQuestion(text=data.text, topic=data.topic, question_id=question_id)
        await run_command(store, student, command, if_match, idempotency_key)
        view = QuestionView(id=question_id, topic=command.topic, text=command.text.strip())
        return Response(view, status_code=HTTP_201_CREATED, headers={"Location": f"/api/v1/me/questions/{question_id}"})

    @get("/questions/{question_id:uuid}", operation_id="GetQuestion", responses=READ_PROBLEMS)
    async def get_question(
        self, *, student: NamedDependency[StudentScope], store: NamedDependency[EventStore], question_id: FromPath[UUID]
    ) -> QuestionView:
        """One question of your bank."""
        async with store.pool.acquire() as conn:
            state, _ = await service.load_student(conn, student.student_id)
        for q in state.questions:
            if q.question_id == question_id:
                return QuestionView(id=q.question_id, topic=q.topic, text=q.text)
        raise NotFoundError("No such question in your bank.")

    @delete("/questions/{question_id:uuid}", operation_id="RemoveQuestion", responses=COMMAND_PROBLEMS)
    async def remove_question(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        question_id: FromPath[UUID],
        if_match: IfMatch = None,
    ) -> None:
        """Take a question out of the bank."""
        await run_command(store, student, RemoveQuestion(question_id=question_id), if_match)
