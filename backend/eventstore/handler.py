"""The one command handler: load, check the expected version, decide, append, retry on a lost race.

Every context runs its commands through `handle` (Emmett's CommandHandler, Marten's aggregate handler):
it is given how to load the state it decides on (with the stream's version) and a pure `decide` that
turns that state into the writes to append. What it guarantees, once, for all of them:

- **Preconditions.** With `if_match` the caller decided on that version: a different one fails with
  WrongExpectedVersionError before deciding (412), and so does a race lost at the append.
- **No precondition, no 412.** Without one, a race lost to another writer is decided again on the new
  head (decide is pure, so trying again is safe) until it lands or the rules refuse it; every round has
  a winner, so only a storm on one stream reaches the bound (BusyError: try again later).
- **Retries of applied commands.** A command whose answer was lost comes back with the same command id:
  it meets the state it produced (the rules may refuse it now) or offers other events under the same
  id. Either way the store says the command was applied, and the handler answers `duplicate`.
- **Savepoints.** The append runs in a savepoint, so inside a request's transaction (an
  Idempotency-Key's, backend/infra/db.py `ambient`) a lost race does not abort the transaction that the
  retry, and the answer kept with it, still need.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, NamedTuple, TypeVar

from backend.errors import BusyError, DomainError
from backend.eventstore.errors import CommandReusedError, WrongExpectedVersionError
from backend.eventstore.store import EventStore
from backend.eventstore.types import AppendResult, Conn, Metadata, StreamWrite

S = TypeVar("S")

ATTEMPTS = 64


class Loaded(NamedTuple, Generic[S]):
    """The state a command is decided on, the version of its stream, and the stream."""

    state: S
    version: int
    stream: str


class Handled(NamedTuple):
    """What the handler did: the append (None when the command changed nothing), or that it was a retry."""

    result: AppendResult | None
    duplicate: bool


def check_version(stream_id: str, if_match: int | None, version: int) -> None:
    """A stale If-Match fails before deciding: the client decided on a state that is gone."""
    if if_match is not None and if_match != version:
        raise WrongExpectedVersionError(stream_id, if_match, version)


async def handle(
    store: EventStore,
    metadata: Metadata,
    load: Callable[[Conn], Awaitable[Loaded[S]]],
    decide: Callable[[Loaded[S]], Sequence[StreamWrite]],
    *,
    if_match: int | None = None,
) -> Handled:
    """Decide on the loaded state and append what it produces, as the module docstring says."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with store.pool.acquire() as conn:
                loaded = await load(conn)
            check_version(loaded.stream, if_match, loaded.version)
            writes = decide(loaded)
            if not writes:  # e.g. an edit that changes nothing: nothing happened, nothing to record
                return Handled(None, duplicate=False)
            async with store.pool.acquire() as conn, conn.transaction():
                result = await store.append_many(writes, metadata, conn=conn)
            return Handled(result, duplicate=result.duplicate)
        except (DomainError, WrongExpectedVersionError, CommandReusedError) as refused:
            if await store.command_applied(metadata.command_id):
                return Handled(None, duplicate=True)
            if isinstance(refused, DomainError) or if_match is not None:
                raise
        # Lost a race for the next version: spread the losers out a little before they look again.
        await asyncio.sleep(random.uniform(0, 0.001 * attempt))  # noqa: S311 - jitter, not a secret
    raise BusyError("This is changing too fast; try again in a moment.")
