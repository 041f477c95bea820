"""Running a command on a contact: load its state, `decide`, append with the version it was read at.

The state comes from the `contacts` read model, which the inline projection keeps at exactly the
stream's version (it is written in the append's own transaction), so a command costs one read and
one append. The read is scoped to the student: another student's contact is simply not found.

Concurrency: with `If-Match` the caller's version is the expectation, and a stale one fails with
412. Without it the command is re-decided on the fresh state when another writer got there first
(decide is pure, so trying again is safe), up to a few times.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

import msgspec
from msgspec.structs import replace

from backend.errors import DomainError, NotFoundError
from backend.eventstore import NO_STREAM, CommandReusedError, EventStore, Metadata, WrongExpectedVersionError
from backend.eventstore.events import Event
from backend.eventstore.types import Conn, ExpectedVersion, StreamWrite
from backend.relationships.commands import decide
from backend.relationships.commands.contact import AddContact, EraseContact, add_contact
from backend.relationships.commands.follow_through import AddActionItem, RecordReferral, record_referral
from backend.relationships.commands.interview import ScheduleInterview
from backend.relationships.events import contact_stream
from backend.relationships.state import ContactState

ATTEMPTS = 3

# Ids a command creates. With an idempotency key they derive from the command id, so a retried
# request names the same interview (or contact) and the store recognises it as the same command.
_NEW_IDS: dict[type[Any], str] = {
    AddContact: "contact_id",
    ScheduleInterview: "interview_id",
    AddActionItem: "item_id",
    RecordReferral: "referred_contact_id",
}


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """On whose behalf a command runs, and under which command id (from the Idempotency-Key)."""

    student_id: UUID
    actor_id: str
    command_id: UUID

    @property
    def metadata(self) -> Metadata:
        return Metadata(actor_id=self.actor_id, command_id=self.command_id)


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What a command did: on which contact, what it created (an interview, an item, a contact)."""

    contact_id: UUID
    created: UUID | None = None
    duplicate: bool = False


def command_id_for(actor_id: str, idempotency_key: str | None) -> UUID:
    """The store-level command id: stable for one principal's key, random without one."""
    if idempotency_key is None:
        return uuid4()
    return uuid5(UUID(int=0), f"{actor_id}\x00{idempotency_key}")


def with_new_id(command: Any, command_id: UUID) -> Any:
    """Fill the id a creating command needs, unless the client chose it."""
    field = _NEW_IDS.get(type(command))
    if field is None or getattr(command, field) is not None:
        return command
    return replace(command, **{field: uuid5(command_id, field)})


async def load_contact(conn: Conn, student_id: UUID, contact_id: UUID) -> tuple[ContactState, int]:
    """The contact's state and version, if it is this student's; otherwise NotFoundError."""
    row = await conn.fetchrow(
        "SELECT state, version FROM contacts WHERE contact_id = $1 AND student_id = $2", contact_id, student_id
    )
    if row is None:
        raise NotFoundError("No such contact.")
    return msgspec.convert(row["state"], ContactState), int(row["version"])


def check_version(stream_id: str, if_match: int | None, version: int) -> None:
    """A stale If-Match fails before deciding: the client decided on a state that is gone."""
    if if_match is not None and if_match != version:
        raise WrongExpectedVersionError(stream_id, if_match, version)


async def add(store: EventStore, actor: Actor, command: AddContact, now: datetime) -> Outcome:
    command = with_new_id(command, actor.command_id)
    assert command.contact_id is not None  # noqa: S101 - with_new_id fills it
    events = add_contact(command, ContactState(), now, student_id=actor.student_id)
    try:
        result = await store.append(contact_stream(command.contact_id), NO_STREAM, events, actor.metadata)
    except (WrongExpectedVersionError, CommandReusedError):
        if await store.command_applied(actor.command_id):  # a retry whose first answer was lost
            return Outcome(contact_id=command.contact_id, created=command.contact_id, duplicate=True)
        raise DomainError("A contact with this id already exists.", code="contact-exists") from None
    return Outcome(contact_id=command.contact_id, created=command.contact_id, duplicate=result.duplicate)


async def run(
    store: EventStore,
    actor: Actor,
    contact_id: UUID,
    command: Any,
    now: datetime,
    *,
    if_match: int | None = None,
) -> Outcome:
    """Decide `command` on the student's contact and append what it produces."""
    command = with_new_id(command, actor.command_id)
    for attempt in range(1, ATTEMPTS + 1):
        async with store.pool.acquire() as conn:
            state, version = await load_contact(conn, actor.student_id, contact_id)
        try:
            check_version(contact_stream(contact_id), if_match, version)
            return await _decide_and_append(store, actor, contact_id, command, state=state, version=version, now=now)
        except (DomainError, WrongExpectedVersionError, CommandReusedError) as refused:
            # A retry of a command that was applied (its answer lost) meets the state it produced, or,
            # deciding again at a later `now`, offers the store the same command id with other events.
            if await store.command_applied(actor.command_id):
                return Outcome(contact_id=contact_id, created=_created(command), duplicate=True)
            if isinstance(refused, DomainError) or if_match is not None or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _decide_and_append(
    store: EventStore, actor: Actor, contact_id: UUID, command: Any, *, state: ContactState, version: int, now: datetime
) -> Outcome:
    stream = contact_stream(contact_id)
    expected: ExpectedVersion = version
    if isinstance(command, RecordReferral):
        own, added = record_referral(command, state, now)
        assert command.referred_contact_id is not None  # noqa: S101 - with_new_id fills it
        writes = [
            StreamWrite(stream, expected, own),
            StreamWrite(contact_stream(command.referred_contact_id), NO_STREAM, added),
        ]
        try:
            result = await store.append_many(writes, actor.metadata)
        except WrongExpectedVersionError as conflict:
            if conflict.stream_id == stream:
                raise
            # The id chosen for the new contact is taken (perhaps by another student's contact): say so as
            # adding a contact with that id would, never which stream holds it or at what version.
            raise DomainError("A contact with this id already exists.", code="contact-exists") from None
        return Outcome(contact_id=contact_id, created=command.referred_contact_id, duplicate=result.duplicate)
    events: Sequence[Event] = decide(command, state, now)
    if not events:  # e.g. an edit that changes nothing: nothing happened, nothing to record
        return Outcome(contact_id=contact_id)
    result = await store.append(stream, expected, events, actor.metadata)
    if isinstance(command, EraseContact):
        # The event records that it happened; destroying the key makes the personal data unrecoverable.
        await store.forget(stream)
        # Answers kept for Idempotency-Key replays may quote this person: they go too.
        async with store.pool.acquire() as conn:
            await conn.execute("DELETE FROM idempotency_keys WHERE account_id = $1", actor.student_id)
    return Outcome(contact_id=contact_id, created=_created(command), duplicate=result.duplicate)


def _created(command: Any) -> UUID | None:
    field = _NEW_IDS.get(type(command))
    return getattr(command, field) if field else None
