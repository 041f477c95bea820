"""Running a command on the student's own stream: the `students` read model holds its state and version."""

from datetime import datetime
from uuid import UUID

import msgspec

from backend.errors import DomainError, NotFoundError
from backend.eventstore import CommandReusedError, EventStore, Metadata, WrongExpectedVersionError
from backend.eventstore.types import Conn
from backend.relationships.service import check_version
from backend.students.commands import decide
from backend.students.events import student_stream
from backend.students.state import StudentState

ATTEMPTS = 3


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
    for attempt in range(1, ATTEMPTS + 1):
        async with store.pool.acquire() as conn:
            state, version = await load_student(conn, student_id)
        check_version(stream, if_match, version)
        try:
            events = decide(command, state, now)
            if not events:
                return
            await store.append(stream, version, events, metadata)
        except (DomainError, WrongExpectedVersionError, CommandReusedError) as refused:
            # A retry whose first answer was lost: the command is in the log already.
            if await store.command_applied(metadata.command_id):
                return
            if isinstance(refused, DomainError) or if_match is not None or attempt == ATTEMPTS:
                raise
        else:
            return
