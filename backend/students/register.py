"""Registering a student: the first events of their stream, with the default question bank."""

from datetime import datetime
from uuid import UUID

from backend.eventstore import NO_STREAM, AppendResult, EventStore, Metadata
from backend.eventstore.types import Conn
from backend.students.events import Question, QuestionAdded, StudentRegistered, student_stream
from backend.students.questions import DEFAULT_QUESTIONS, default_question_id


async def register_student(
    store: EventStore,
    *,
    student_id: UUID,
    email: str,
    display_name: str,
    time_zone: str,
    country: str,
    now: datetime,
    metadata: Metadata,
    conn: Conn | None = None,
) -> AppendResult:
    """Start the student's stream. Pass `conn` to make it part of the caller's transaction."""
    seeded = [
        QuestionAdded(question=Question(question_id=default_question_id(student_id, i), topic=topic, text=text))
        for i, (topic, text) in enumerate(DEFAULT_QUESTIONS)
    ]
    registered = StudentRegistered(
        student_id=student_id,
        email=email,
        display_name=display_name,
        time_zone=time_zone,
        country=country,
        registered_at=now,
    )
    return await store.append(student_stream(student_id), NO_STREAM, [registered, *seeded], metadata, conn=conn)
