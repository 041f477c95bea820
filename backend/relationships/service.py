"""Running a command on a contact: load its state, `decide`, append with the version it was read at.

The state comes from the `contacts` read model, which the inline projection keeps at exactly the
stream's version (it is written in the append's own transaction), so a command costs one read and
one append. The read is scoped to the student: another student's contact is simply not found.

Ids the client chooses (a contact's, an interview's, an action item's, a referred person's) are the
student's own: a contact's stream is named by its student and its id (`contact_stream`), and every
read model is keyed by (student, id). Another student's id therefore behaves exactly like a fresh one;
only the student's own ids can collide, and those are refused as `contact-exists` or
`interview-exists`.

Concurrency: with `If-Match` the caller's version is the expectation, and a stale one fails with
412. Without it the command is decided again on the fresh state whenever another writer got there
first (decide is pure, so trying again is safe), until it is appended or the rules refuse it: a
request that states no precondition never fails one.
"""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4, uuid5

import msgspec
from msgspec.structs import replace

from backend.errors import DomainError, NotFoundError
from backend.eventstore import NO_STREAM, EventStore, Metadata
from backend.eventstore.erasure import vacuum_read_models
from backend.eventstore.handler import Loaded, handle
from backend.eventstore.types import Conn, StreamWrite
from backend.infra.db import after_commit, detached
from backend.relationships.commands import decide
from backend.relationships.commands.contact import AddContact, EraseContact, add_contact
from backend.relationships.commands.follow_through import AddActionItem, RecordReferral, record_referral
from backend.relationships.commands.interview import ScheduleInterview
from backend.relationships.events import contact_stream
from backend.relationships.projection import ERASED_FROM
from backend.relationships.state import ContactState

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


_LOAD = "SELECT state, version, stream_id FROM contacts WHERE student_id = $1 AND contact_id = $2"
_EXISTS = "SELECT EXISTS (SELECT 1 FROM contacts WHERE student_id = $1 AND contact_id = $2)"
# An interview id names one interview of the student's, whichever contact it is with.
_INTERVIEW_ELSEWHERE = """
SELECT EXISTS (SELECT 1 FROM interviews WHERE student_id = $1 AND interview_id = $2 AND contact_id <> $3)
"""


async def load_contact(conn: Conn, student_id: UUID, contact_id: UUID) -> Loaded[ContactState]:
    """The contact's state, version and stream, if it is this student's; otherwise NotFoundError."""
    row = await conn.fetchrow(_LOAD, student_id, contact_id)
    if row is None:
        raise NotFoundError("No such contact.")
    return Loaded(msgspec.convert(row["state"], ContactState), int(row["version"]), row["stream_id"])


def _contact_exists() -> DomainError:
    return DomainError("A contact with this id already exists.", code="contact-exists")


async def add(store: EventStore, actor: Actor, command: AddContact, now: datetime) -> Outcome:
    """Start a contact's stream, unless the student has a contact with that id already."""
    command = with_new_id(command, actor.command_id)
    contact_id = command.contact_id
    assert contact_id is not None  # noqa: S101 - with_new_id fills it

    async def load(conn: Conn) -> Loaded[ContactState]:
        # The student's own contact with this id, on whichever stream (one named before ids were scoped too).
        if await conn.fetchval(_EXISTS, actor.student_id, contact_id):
            raise _contact_exists()
        return Loaded(ContactState(), 0, contact_stream(actor.student_id, contact_id))

    def decide_add(loaded: Loaded[ContactState]) -> list[StreamWrite]:
        events = add_contact(command, loaded.state, now, student_id=actor.student_id)
        return [StreamWrite(loaded.stream, NO_STREAM, events)]

    handled = await handle(store, actor.metadata, load, decide_add)
    return Outcome(contact_id=contact_id, created=contact_id, duplicate=handled.duplicate)


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

    async def load(conn: Conn) -> Loaded[ContactState]:
        loaded = await load_contact(conn, actor.student_id, contact_id)
        await _check_new_ids(conn, actor.student_id, contact_id, command)
        return loaded

    def decide_step(loaded: Loaded[ContactState]) -> list[StreamWrite]:
        if isinstance(command, RecordReferral):
            own, added = record_referral(command, loaded.state, now)
            assert command.referred_contact_id is not None  # noqa: S101 - with_new_id fills it
            referred = contact_stream(actor.student_id, command.referred_contact_id)
            return [StreamWrite(loaded.stream, loaded.version, own), StreamWrite(referred, NO_STREAM, added)]
        events = list(decide(command, loaded.state, now))
        return [StreamWrite(loaded.stream, loaded.version, events)] if events else []

    handled = await handle(store, actor.metadata, load, decide_step, if_match=if_match)
    if isinstance(command, EraseContact) and handled.result is not None:
        # The event records that it happened; destroying the key makes the personal data unrecoverable.
        # On a connection of its own: the key is gone at once, even inside a request's transaction
        # (VACUUM, which reclaims the key's old row version, cannot run in one).
        with detached():
            await store.forget(handled.result.events[0].stream_id)
        await after_commit(lambda: _vacuum(store))
    return Outcome(contact_id=contact_id, created=_created(command), duplicate=handled.duplicate)


async def _check_new_ids(conn: Conn, student_id: UUID, contact_id: UUID, command: Any) -> None:
    """Ids the command creates must not be the student's own already (decide sees one contact only)."""
    if isinstance(command, ScheduleInterview) and command.interview_id is not None:
        if await conn.fetchval(_INTERVIEW_ELSEWHERE, student_id, command.interview_id, contact_id):
            raise DomainError("This interview id is already used.", code="interview-exists")
    elif (
        isinstance(command, RecordReferral)
        and command.referred_contact_id is not None
        and await conn.fetchval(_EXISTS, student_id, command.referred_contact_id)
    ):
        raise _contact_exists()


async def _vacuum(store: EventStore) -> None:
    """The erased values' old row versions leave the read models' files (docs/erasure.md)."""
    async with store.pool.acquire() as conn:
        await vacuum_read_models(conn, ERASED_FROM)


def _created(command: Any) -> UUID | None:
    field = _NEW_IDS.get(type(command))
    return getattr(command, field) if field else None
