"""The database itself refuses to change or remove events, whoever asks."""

import uuid

import asyncpg
import pytest

from backend.eventstore import ANY, EventStore, Metadata
from tests.events import Pinged

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = '{}'::jsonb",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
    ],
)
async def test_update_delete_truncate_are_rejected(store: EventStore, pool: asyncpg.Pool, statement: str) -> None:
    await store.append("contact-1", ANY, [Pinged(n=1)], Metadata(actor_id="s", command_id=uuid.uuid4()))
    # The test's connection is the superuser: the trigger stops even it.
    with pytest.raises(asyncpg.PostgresError, match="append-only") as refused:
        await pool.execute(statement)
    assert refused.value.sqlstate == "RP009"
    assert await pool.fetchval("SELECT count(*) FROM events") == 1
    assert await pool.fetchval("SELECT data FROM events") == {"n": 1}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE commands SET positions = '{}', stream_ids = '{}'",
        "DELETE FROM commands",
        "TRUNCATE commands",
    ],
)
async def test_the_record_of_commands_is_append_only_too(store: EventStore, pool: asyncpg.Pool, statement: str) -> None:
    # `verify` finds events removed from the end of a stream by their command's record: removing both
    # must be as impossible as removing the event.
    metadata = Metadata(actor_id="s", command_id=uuid.uuid4())
    [appended] = (await store.append("contact-1", ANY, [Pinged(n=1)], metadata)).events
    with pytest.raises(asyncpg.PostgresError, match="append-only") as refused:
        await pool.execute(statement)
    assert refused.value.sqlstate == "RP009"
    rows = [tuple(r) for r in await pool.fetch("SELECT command_id, positions, stream_ids FROM commands")]
    assert rows == [(metadata.command_id, [appended.position], ["contact-1"])]
