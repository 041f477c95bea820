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

import asyncio
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID, uuid4, uuid5

import msgspec
from msgspec.structs import replace

from backend.db import detached
from backend.errors import BusyError, DomainError, NotFoundError
from backend.eventstore import NO_STREAM, CommandReusedError, EventStore, Metadata, WrongExpectedVersionError
from backend.eventstore.events import Event
from backend.eventstore.types import Conn, ExpectedVersion, StreamWrite
from backend.relationships.commands import decide
from backend.relationships.commands.contact import AddContact, EraseContact, add_contact
from backend.relationships.commands.follow_through import AddActionItem, RecordReferral, record_referral
from backend.relationships.commands.interview import ScheduleInterview
from backend.relationships.events import contact_stream
from backend.relationships.state import ContactState

# Without If-Match, each attempt that loses a race for the next version sees a newer head; every
# round has a winner, so this bound is reached only under a storm on one contact (then 503, try later).
ATTEMPTS = 64

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


class Loaded(NamedTuple):
    """A contact as the read model holds it: its state, its stream's version, and its stream."""

    state: ContactState
    version: int
    stream: str


_LOAD = "SELECT state, version, stream_id FROM contacts WHERE student_id = $1 AND contact_id = $2"
_EXISTS = "SELECT EXISTS (SELECT 1 FROM contacts WHERE student_id = $1 AND contact_id = $2)"
# An interview id names one interview of the student's, whichever contact it is with.
_INTERVIEW_ELSEWHERE = """
SELECT EXISTS (SELECT 1 FROM interviews WHERE student_id = $1 AND interview_id = $2 AND contact_id <> $3)
"""


async def load_contact(conn: Conn, student_id: UUID, contact_id: UUID) -> Loaded:
    """The contact's state, version and stream, if it is this student's; otherwise NotFoundError."""
    row = await conn.fetchrow(_LOAD, student_id, contact_id)
    if row is None:
        raise NotFoundError("No such contact.")
    return Loaded(msgspec.convert(row["state"], ContactState), int(row["version"]), row["stream_id"])


def check_version(stream_id: str, if_match: int | None, version: int) -> None:
    """A stale If-Match fails before deciding: the client decided on a state that is gone."""
    if if_match is not None and if_match != version:
        raise WrongExpectedVersionError(stream_id, if_match, version)


def _contact_exists() -> DomainError:
    return DomainError("A contact with this id already exists.", code="contact-exists")


async def _append(store: EventStore, writes: Sequence[StreamWrite], actor: Actor) -> Any:
    """Append in a savepoint: inside a request's transaction (an Idempotency-Key's), a lost race must
    not abort the transaction that the retry and the kept answer still need."""
    async with store.pool.acquire() as conn, conn.transaction():
        return await store.append_many(writes, actor.metadata, conn=conn)


async def add(store: EventStore, actor: Actor, command: AddContact, now: datetime) -> Outcome:
    command = with_new_id(command, actor.command_id)
    assert command.contact_id is not None  # noqa: S101 - with_new_id fills it
    events = add_contact(command, ContactState(), now, student_id=actor.student_id)
    stream = contact_stream(actor.student_id, command.contact_id)
    try:
        async with store.pool.acquire() as conn:
            # The student's own contact with this id (on a stream named before ids were scoped too).
            if await conn.fetchval(_EXISTS, actor.student_id, command.contact_id):
                raise _contact_exists()
        result = await _append(store, [StreamWrite(stream, NO_STREAM, events)], actor)
    except (DomainError, WrongExpectedVersionError, CommandReusedError):
        if await store.command_applied(actor.command_id):  # a retry whose first answer was lost
            return Outcome(contact_id=command.contact_id, created=command.contact_id, duplicate=True)
        raise _contact_exists() from None
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
            loaded = await load_contact(conn, actor.student_id, contact_id)
            await _check_new_ids(conn, actor.student_id, contact_id, command)
        try:
            check_version(loaded.stream, if_match, loaded.version)
            return await _decide_and_append(store, actor, contact_id, command, loaded, now=now)
        except (DomainError, WrongExpectedVersionError, CommandReusedError) as refused:
            # A retry of a command that was applied (its answer lost) meets the state it produced, or,
            # deciding again at a later `now`, offers the store the same command id with other events.
            if await store.command_applied(actor.command_id):
                return Outcome(contact_id=contact_id, created=_created(command), duplicate=True)
            if isinstance(refused, DomainError) or if_match is not None:
                raise
        # Lost a race for the next version: spread the losers out a little before they look again.
        await asyncio.sleep(random.uniform(0, 0.001 * attempt))  # noqa: S311 - jitter, not a secret
    raise BusyError("This contact is changing too fast; try again in a moment.")


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


async def _decide_and_append(
    store: EventStore, actor: Actor, contact_id: UUID, command: Any, loaded: Loaded, *, now: datetime
) -> Outcome:
    stream, state = loaded.stream, loaded.state
    expected: ExpectedVersion = loaded.version
    if isinstance(command, RecordReferral):
        own, added = record_referral(command, state, now)
        assert command.referred_contact_id is not None  # noqa: S101 - with_new_id fills it
        writes = [
            StreamWrite(stream, expected, own),
            StreamWrite(contact_stream(actor.student_id, command.referred_contact_id), NO_STREAM, added),
        ]
        try:
            result = await _append(store, writes, actor)
        except WrongExpectedVersionError as conflict:
            if conflict.stream_id == stream:
                raise
            # The id chosen for the new contact is the student's own already (a race with its adding).
            raise _contact_exists() from None
        return Outcome(contact_id=contact_id, created=command.referred_contact_id, duplicate=result.duplicate)
    events: Sequence[Event] = decide(command, state, now)
    if not events:  # e.g. an edit that changes nothing: nothing happened, nothing to record
        return Outcome(contact_id=contact_id)
    result = await _append(store, [StreamWrite(stream, expected, list(events))], actor)
    if isinstance(command, EraseContact):
        # The event records that it happened; destroying the key makes the personal data unrecoverable.
        # On a connection of its own: the key is gone at once, even inside a request's transaction
        # (VACUUM, which reclaims the key's old row version, cannot run in one).
        with detached():
            await store.forget(stream)
        # Answers kept for Idempotency-Key replays may quote this person: they go too.
        async with store.pool.acquire() as conn:
            await conn.execute("DELETE FROM idempotency_keys WHERE account_id = $1", actor.student_id)
    return Outcome(contact_id=contact_id, created=_created(command), duplicate=result.duplicate)


def _created(command: Any) -> UUID | None:
    field = _NEW_IDS.get(type(command))
    return getattr(command, field) if field else None
