"""Tamper evidence and per-person erasure, checked the way an auditor would: on the stored bytes."""

import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest

from backend.eventstore import (
    ANY,
    NO_STREAM,
    REDACTED,
    EventStore,
    Metadata,
    StreamWrite,
    SubjectForgottenError,
)
from backend.eventstore.chain import chain_hash, event_digest
from backend.eventstore.verify import UNRECORDED, Break, verify
from tests.events import ContactAdded, NoteAdded, Pinged, ReferralReceived

pytestmark = pytest.mark.integration


def meta() -> Metadata:
    return Metadata(actor_id="student-1", command_id=uuid.uuid4())


async def _seed(store: EventStore) -> None:
    for c in range(3):
        await store.append(f"contact-{c}", NO_STREAM, [ContactAdded(contact_id=str(c), name=f"Person {c}")], meta())
        for n in range(4):
            await store.append(f"contact-{c}", ANY, [Pinged(n=n)], meta())


async def _as_superuser_bypassing_the_guard(pool: asyncpg.Pool, statement: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        # session_replication_role = replica disables ordinary triggers; only a superuser may set it.
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(statement)


async def test_an_untouched_log_verifies(store: EventStore, pool: asyncpg.Pool) -> None:
    await _seed(store)
    async with pool.acquire() as conn:
        report = await verify(conn, page_size=2)
    assert report.ok, report
    assert (report.streams, report.events, report.breaks) == (3, 15, 0)


async def test_a_changed_event_is_reported_with_its_stream_and_version(store: EventStore, pool: asyncpg.Pool) -> None:
    await _seed(store)
    await _as_superuser_bypassing_the_guard(
        pool, "UPDATE events SET data = '{\"n\": 99}' WHERE stream_id = 'contact-1' AND version = 3"
    )
    async with pool.acquire() as conn:
        report = await verify(conn)
    assert not report.ok
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.version) == ("contact-1", 3)
    assert "hash mismatch" in report.first_break.reason


async def test_a_changed_event_with_a_recomputed_hash_breaks_the_next_link(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await _seed(store)
    rows = await pool.fetch(
        "SELECT version, hash, type, schema_version, metadata, actor_id, command_id, correlation_id, causation_id,"
        " recorded_at FROM events WHERE stream_id = 'contact-2' AND version IN (1, 2) ORDER BY version"
    )
    first, second = rows
    forged = {"n": 99}
    digest = event_digest(
        stream_id="contact-2",
        event_type=second["type"],
        schema_version=second["schema_version"],
        data=forged,
        metadata=second["metadata"],
        actor_id=second["actor_id"],
        command_id=second["command_id"],
        correlation_id=second["correlation_id"],
        causation_id=second["causation_id"],
    )
    new_hash = chain_hash(first["hash"], 2, second["recorded_at"], digest)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(
            "UPDATE events SET data = $1, hash = $2 WHERE stream_id = 'contact-2' AND version = 2", forged, new_hash
        )
    async with pool.acquire() as conn:
        report = await verify(conn)
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.version) == ("contact-2", 3)


async def test_removed_events_are_reported(store: EventStore, pool: asyncpg.Pool) -> None:
    await _seed(store)
    await _as_superuser_bypassing_the_guard(pool, "DELETE FROM events WHERE stream_id = 'contact-0' AND version = 2")
    await _as_superuser_bypassing_the_guard(pool, "DELETE FROM events WHERE stream_id = 'contact-2' AND version = 5")
    async with pool.acquire() as conn:
        report = await verify(conn)
    assert report.breaks == 2
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.version) == ("contact-0", 3)
    assert "missing" in report.first_break.reason


async def _remove_tail_and_its_command(pool: asyncpg.Pool, stream_id: str, version: int, *, bypass: bool) -> None:
    """Delete a stream's last event and its command's record, in one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        if bypass:
            await conn.execute("SET LOCAL session_replication_role = replica")
        command = await conn.fetchval(
            "SELECT command_id FROM events WHERE stream_id = $1 AND version = $2", stream_id, version
        )
        await conn.execute("DELETE FROM commands WHERE command_id = $1", command)
        await conn.execute("DELETE FROM events WHERE stream_id = $1 AND version = $2", stream_id, version)


async def test_a_tail_removed_with_its_command_is_refused_and_caught_by_the_rest_of_the_command(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await _seed(store)
    two = meta()
    [sixth, _] = (await store.append("contact-1", ANY, [Pinged(n=10), Pinged(n=11)], two)).events

    # Plainly, the triggers refuse it: since 0009 the command's record is append-only too.
    with pytest.raises(asyncpg.PostgresError, match="the record of commands is append-only") as refused:
        await _remove_tail_and_its_command(pool, "contact-1", 7, bypass=False)
    assert refused.value.sqlstate == "RP009"
    async with pool.acquire() as conn:
        assert (await verify(conn)).ok

    # A superuser can turn triggers off. The command's other event still names it, in its hash.
    await _remove_tail_and_its_command(pool, "contact-1", 7, bypass=True)
    async with pool.acquire() as conn:
        report = await verify(conn)
    assert (report.ok, report.streams, report.events, report.breaks) == (False, 3, 16, 1)
    assert report.first_break == Break(
        stream_id="contact-1",
        version=6,
        position=sixth.position,
        reason=UNRECORDED.format(command=two.command_id),
    )


async def test_a_command_record_removed_or_edited_is_caught_at_every_event_it_no_longer_lists(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await _seed(store)
    gone, edited = meta(), meta()
    lost = (await store.append("contact-0", ANY, [Pinged(n=10), Pinged(n=11)], gone)).events
    [kept, _] = (await store.append("contact-2", ANY, [Pinged(n=10), Pinged(n=11)], edited)).events
    await _as_superuser_bypassing_the_guard(pool, f"DELETE FROM commands WHERE command_id = '{gone.command_id}'")
    await _as_superuser_bypassing_the_guard(
        pool,
        f"UPDATE commands SET positions = ARRAY[{kept.position}]::bigint[], stream_ids = ARRAY['contact-2']"
        f" WHERE command_id = '{edited.command_id}'",
    )
    async with pool.acquire() as conn:
        report = await verify(conn)
    # contact-0's versions 6 and 7, and contact-2's version 7.
    assert (report.ok, report.streams, report.events, report.breaks) == (False, 3, 19, 3)
    assert report.first_break == Break(
        stream_id="contact-0", version=6, position=lost[0].position, reason=UNRECORDED.format(command=gone.command_id)
    )


async def test_a_whole_command_removed_from_the_tail_with_its_record_is_beyond_verify(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    # Pinned so docs/tamper-evidence.md stays true: nothing inside the database is left to tell, so
    # only an anchor kept outside it (a later issue) can. Plain SQL is refused, as above.
    await _seed(store)
    await _remove_tail_and_its_command(pool, "contact-2", 5, bypass=True)
    async with pool.acquire() as conn:
        report = await verify(conn)
    assert (report.ok, report.streams, report.events, report.breaks, report.first_break) == (True, 3, 14, 0, None)


def _pg_dump(database_url: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    dump = subprocess.run(
        [str(Path(POSTGRES_BIN_PATH) / "pg_dump"), "--dbname", database_url],
        check=True,
        capture_output=True,
        text=True,
    )
    return dump.stdout


async def test_forget_makes_personal_data_unrecoverable_and_the_chain_still_verifies(
    store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    secrets = [
        "Ada Lovelace",
        "ada@analytical.example",
        "prefers tea, two sugars",
        "Charles Babbage",
    ]
    await store.append(
        "contact-ada",
        NO_STREAM,
        [
            ContactAdded(
                contact_id="ada",
                name=secrets[0],
                email=secrets[1],
                organization="Analytical Society",
            )
        ],
        meta(),
    )
    await store.append("contact-ada", ANY, [NoteAdded(text=secrets[2])], meta())
    await store.append_many(
        [
            StreamWrite(
                "contact-ada",
                ANY,
                [ReferralReceived(referred_stream="contact-babbage", referred_name=secrets[3])],
            ),
            StreamWrite("contact-babbage", NO_STREAM, [ContactAdded(contact_id="babbage", name=secrets[3])]),
        ],
        meta(),
    )
    await store.append("contact-other", NO_STREAM, [ContactAdded(contact_id="o", name="Grace Hopper")], meta())

    # Never in clear, even before erasure.
    before = _pg_dump(database_url)
    assert not [s for s in secrets if s in before]
    assert "Analytical Society" in before  # not personal: stored as is

    assert await store.forget("contact-ada") is True
    assert await store.forget("contact-babbage") is True
    assert await store.forget("contact-ada") is False

    after = _pg_dump(database_url)
    assert not [s for s in secrets if s in after]
    key_rows = await pool.fetch("SELECT key FROM subject_keys WHERE subject IN ('contact-ada', 'contact-babbage')")
    assert [r["key"] for r in key_rows] == [None, None]

    ada = await store.read_stream("contact-ada")
    assert [e.type for e in ada] == ["ContactAdded", "NoteAdded", "ReferralReceived"]
    added = ada[0].event
    assert isinstance(added, ContactAdded)
    assert (added.name, added.email, added.organization) == (
        REDACTED,
        REDACTED,
        "Analytical Society",
    )
    assert ada[0].redacted == {"name", "email"}
    assert [e.version for e in ada] == [1, 2, 3]
    other = (await store.read_stream("contact-other"))[0].event
    assert isinstance(other, ContactAdded)
    assert other.name == "Grace Hopper"

    async with pool.acquire() as conn:
        assert (await verify(conn)).ok

    with pytest.raises(SubjectForgottenError):
        await store.append("contact-ada", ANY, [NoteAdded(text="new secret")], meta())
    # Events without personal data still append to an erased contact's stream.
    await store.append("contact-ada", ANY, [Pinged(n=1)], meta())


async def test_a_removed_tail_and_a_removed_stream_are_reported(store: EventStore, pool: asyncpg.Pool) -> None:
    await _seed(store)
    await _as_superuser_bypassing_the_guard(pool, "DELETE FROM events WHERE stream_id = 'contact-1' AND version = 5")
    await _as_superuser_bypassing_the_guard(pool, "DELETE FROM events WHERE stream_id = 'contact-2'")
    async with pool.acquire() as conn:
        report = await verify(conn, page_size=3)
    assert report.breaks == 2  # contact-1's tail, and contact-2 as a whole
    assert report.first_break is not None
    assert (report.first_break.stream_id, report.first_break.version) == ("contact-1", 5)
    assert "missing" in report.first_break.reason
    assert report.streams == 3


async def test_the_chain_is_recomputable_from_the_stored_events_alone(store: EventStore, pool: asyncpg.Pool) -> None:
    # What an outside auditor would do, following the formula in backend/eventstore/chain.py.
    await store.append("contact-9", NO_STREAM, [ContactAdded(contact_id="9", name="Ada"), Pinged(n=1)], meta())
    previous = bytes(32)
    for row in await pool.fetch("SELECT * FROM events WHERE stream_id = 'contact-9' ORDER BY version"):
        digest = event_digest(
            stream_id=row["stream_id"],
            event_type=row["type"],
            schema_version=row["schema_version"],
            data=row["data"],
            metadata=row["metadata"],
            actor_id=row["actor_id"],
            command_id=row["command_id"],
            correlation_id=row["correlation_id"],
            causation_id=row["causation_id"],
        )
        assert chain_hash(previous, row["version"], row["recorded_at"], digest) == row["hash"]
        previous = row["hash"]


async def test_a_subject_forgotten_by_another_process_is_refused_despite_a_cached_key(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    # `store` seals with a key it has cached; another process (another store) forgets the subject.
    await store.append("contact-x", NO_STREAM, [ContactAdded(contact_id="x", name="Xavier")], meta())
    other = EventStore(pool, store.registry)
    assert await other.forget("contact-x")
    with pytest.raises(SubjectForgottenError) as refused:
        await store.append("contact-x", ANY, [NoteAdded(text="still here?")], meta())
    assert refused.value.subjects == {"contact-x"}
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'contact-x'") == 1
    # And from then on it is refused before anything is sent.
    with pytest.raises(SubjectForgottenError):
        await store.append("contact-x", ANY, [NoteAdded(text="again")], meta())
