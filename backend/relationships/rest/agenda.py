"""/api/v1/agenda: what to do next, today, for the signed-in student."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.eventstore import EventStore
from backend.relationships.readmodels import agenda
from backend.relationships.readmodels.agenda import AgendaView
from backend.web.answers import ANSWERS, kept_responses
from backend.web.opts import COMPRESSED_HERE
from backend.web.support import IfNoneMatch, StudentScope


class AgendaController(Controller):
    path = "/agenda"
    tags = ["agenda"]  # noqa: RUF012 - Litestar's own attribute

    @get(
        operation_id="GetAgenda",
        opt=COMPRESSED_HERE,
        responses=kept_responses(AgendaView, "The agenda"),
    )
    async def get_agenda(
        self,
        *,
        student: NamedDependency[StudentScope],
        store: NamedDependency[EventStore],
        days: Annotated[
            int, QueryParameter(ge=0, le=90, description="How many days ahead `upcoming` reaches (0-90).")
        ] = 14,
        limit: Annotated[
            int,
            QueryParameter(ge=1, le=500, description="At most this many items per bucket (`counts` has them all)."),
        ] = 20,
        if_none_match: IfNoneMatch = None,
        request: Request[Any, Any, Any],
    ) -> Response[bytes]:
        """Everything to do, in the student's today: overdue, today, and the days ahead. Each item says why."""
        async with store.pool.acquire() as conn:

            async def produce() -> bytes:  # written as JSON by PostgreSQL
                return (await agenda.agenda(conn, student.student_id, days=days, limit=limit)).encode()

            return await ANSWERS.answer(
                conn,
                student.student_id,
                ("agenda", days, limit),
                produce,
                if_none_match=if_none_match,
                accept_encoding=request.headers.get("accept-encoding"),
            )
