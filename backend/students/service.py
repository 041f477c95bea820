"""Running a command on the student's own stream: the `students` read model holds its state and version."""

from datetime import datetime
from uuid import UUID

import msgspec

from backend.errors import NotFoundError
from backend.eventstore import EventStore, Metadata, StreamWrite
from backend.eventstore.handler import Loaded, handle
from backend.eventstore.types import Conn
from backend.students.commands import decide
from backend.students.events import student_stream
from backend.students.state import StudentState


async def load_student(conn: Conn, student_id: UUID) -> tuple[StudentState, int]:
    row = await conn.fetchrow("SELECT profile, version FROM students WHERE student_id = $1", student_id)
    if row is None:
        raise NotFoundError("No such student.")
    return msgspec.convert(row["profile"], StudentState), int(row["version"])


async def run(
    store: EventStore, student_id: UUID, command: object, now: datetime, *, metadata: Metadata, if_match: int | None
) -> None:
    """Decide and append; a command that changes nothing appends nothing."""
    stream = student_stream(student_id)

    async def load(conn: Conn) -> Loaded[StudentState]:
        state, version = await load_student(conn, student_id)
        return Loaded(state, version, stream)

    def decide_step(loaded: Loaded[StudentState]) -> list[StreamWrite]:
        events = list(decide(command, loaded.state, now))
        return [StreamWrite(stream, loaded.version, events)] if events else []

    await handle(store, metadata, load, decide_step, if_match=if_match)
