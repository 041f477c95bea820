"""The operator's commands: status, verify, rebuild, forget, generate — run as a user runs them."""

import asyncio
import json
import uuid
from collections.abc import Mapping
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner

from backend.cli import rapport
from backend.config import load_settings
from backend.eventstore import ANY, NO_STREAM, EventStore, Metadata
from backend.eventstore.keys import Keyring, MasterKey, parse_master_keys
from backend.eventstore.runner import Projector, wait_or_stop
from backend.infra.db import create_pool
from tests.events import ContactAdded, Pinged, registry
from tests.integration.test_projections import decoding_projection, insert_unknown_event

pytestmark = pytest.mark.integration


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    for n in range(20):
        await store.append(f"contact-{n % 4}", ANY, [Pinged(n=n)], Metadata(actor_id="s", command_id=uuid.uuid4()))
    await store.append(
        "contact-ada",
        ANY,
        [ContactAdded(contact_id="ada", name="Ada")],
        Metadata(actor_id="s", command_id=uuid.uuid4()),
    )
    return store


def run(
    database_url: str, *args: str, input_text: str | None = None, env: Mapping[str, str | None] | None = None
) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        rapport, list(args), env={"DATABASE_URL": database_url, **(env or {})}, input=input_text
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_status_shows_position_lag_and_state(seeded: EventStore, database_url: str) -> None:
    code, out, _ = run(database_url, "status", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["stream_summary"]["state"] == "inline"
    assert rows["activity_daily"] | {"lagSeconds": 0} == rows["activity_daily"] | {
        "state": "stopped",
        "lagEvents": 21,
        "lagSeconds": 0,
    }
    code, out, _ = run(database_url, "status")
    assert code == 0
    assert "activity_daily" in out
    assert "stopped" in out


def test_rebuild_reports_progress_and_catches_the_async_projection_up(seeded: EventStore, database_url: str) -> None:
    # The core's generic projections, by name: these tests' events are not the relationships domain's.
    code, _, err = run(database_url, "rebuild", "stream_summary", "activity_daily")
    assert code == 0, err
    assert "events/s" in err
    assert "stream_summary: 21 events" in err
    code, out, _ = run(database_url, "status", "--json")
    lag = {row["name"]: row["lagEvents"] for row in json.loads(out)}
    assert (lag["stream_summary"], lag["activity_daily"]) == (0, 0)

    code, _, err = run(database_url, "rebuild", "no_such_projection")
    assert code == 2
    assert "unknown projection" in err


async def _tamper(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE events SET actor_id = 'mallory' WHERE stream_id = 'contact-2' AND version = 4")
    finally:
        await conn.close()


def test_verify_exits_nonzero_on_a_broken_chain(seeded: EventStore, database_url: str) -> None:
    code, out, _ = run(database_url, "verify", "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True
    # The CLI runs its own event loop, so this test is synchronous and tampers through one too.
    asyncio.run(_tamper(database_url))
    code, out, err = run(database_url, "verify")
    assert code == 1
    assert "contact-2, version 4" in err


def test_forget_asks_before_it_destroys(seeded: EventStore, database_url: str) -> None:
    code, _, _ = run(database_url, "forget", "contact-ada", input_text="n\n")
    assert code == 1
    code, _, err = run(database_url, "forget", "contact-ada", "--yes")
    assert code == 0
    assert "Forgot contact-ada" in err


def test_generated_artifacts_are_up_to_date() -> None:
    result = CliRunner().invoke(rapport, ["generate", "--check"])
    assert result.exit_code == 0, result.stderr


async def _project_until_the_first_retry(database_url: str) -> tuple[int, str]:
    """Insert an event of a type no registry knows, and run a projector of every event until it backs off.

    Returns the poison's position and the position (`tx.position`) of the last event before it.
    """
    pool = await create_pool(database_url, 2)
    try:
        last = await pool.fetchrow(
            "SELECT transaction_id::text AS tx, position FROM events"
            " ORDER BY transaction_id DESC, position DESC LIMIT 1"
        )
        assert last is not None
        poison = await insert_unknown_event(pool, "contact-1", "Bogus")
        stop = asyncio.Event()

        async def retry_sleep(stop: asyncio.Event, seconds: float) -> None:
            stop.set()
            await wait_or_stop(stop, seconds)

        store = EventStore(pool, registry)
        projector = Projector(
            database_url, store, [decoding_projection([])], poll_seconds=0.05, retry_sleep=retry_sleep
        )
        await asyncio.wait_for(projector.run(stop), 30)
        return poison, f"{last['tx']}.{last['position']}"
    finally:
        await pool.close()


def test_status_reports_a_projection_stopped_by_an_event_it_cannot_decode(
    seeded: EventStore, database_url: str
) -> None:
    poison, position = asyncio.run(_project_until_the_first_retry(database_url))
    code, out, _ = run(database_url, "status", "--json")
    assert code == 0
    # The projection is not one this CLI declares (the shipped async projection is SQL and never decodes
    # an event); its checkpoint is shown all the same, so the failure it recorded is not hidden.
    row = next(r for r in json.loads(out) if r["name"] == "decoding")
    assert isinstance(row.pop("updatedAt"), str)
    assert isinstance(row.pop("failedAt"), str)
    assert row["lagSeconds"] >= 0
    assert row | {"lagSeconds": 0} == {
        "name": "decoding",
        "mode": "unknown",
        "state": "failed",
        "position": position,
        "lagEvents": 1,  # the poison itself: it was inserted last
        "lagSeconds": 0,
        "failedPosition": poison,
        "error": "backend.eventstore.events.UnknownEventTypeError: unknown event type 'Bogus'",
        "failedStreamId": "contact-1",
        "failedVersion": 6,
        "failedType": "Bogus",
    }
    code, out, _ = run(database_url, "status")
    assert code == 0
    said = " ".join(out.split())
    assert f"decoding stopped at event {poison} (Bogus, contact-1 v6):" in said
    assert "unknown event type 'Bogus'" in said


def _settings(env: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in env.items() if v is not None}


async def _append_contact(settings_env: Mapping[str, str | None], database_url: str) -> None:
    pool = await create_pool(database_url, 2)
    try:
        store = EventStore(pool, registry, keyring=Keyring.from_settings(load_settings(_settings(settings_env))))
        await store.append(
            "contact-ada",
            NO_STREAM,
            [ContactAdded(contact_id="ada", name="Ada")],
            Metadata(actor_id="s", command_id=uuid.uuid4()),
        )
    finally:
        await pool.close()


async def _read_name(settings_env: Mapping[str, str | None], database_url: str) -> tuple[str, str]:
    pool = await create_pool(database_url, 2)
    try:
        store = EventStore(pool, registry, keyring=Keyring.from_settings(load_settings(_settings(settings_env))))
        [added] = await store.read_stream("contact-ada")
        assert isinstance(added.event, ContactAdded)
        return added.event.name, await pool.fetchval("SELECT kek_id FROM subject_keys")
    finally:
        await pool.close()


def test_rotate_master_key(database_url: str, tmp_path: Path) -> None:
    # The key file, not the test session's RAPPORT_MASTER_KEY (tests/conftest.py).
    env: dict[str, str | None] = {"RAPPORT_DATA_DIR": str(tmp_path), "RAPPORT_MASTER_KEY": None}
    asyncio.run(_append_contact(env, database_url))
    [old] = parse_master_keys((tmp_path / "master.key").read_text())

    code, _, err = run(database_url, "rotate-master-key", env=env)
    assert code == 0, err
    [new] = parse_master_keys((tmp_path / "master.key").read_text())
    said = " ".join(err.split())
    assert f"Re-wrapped 1 subject keys under master key {new.id} (was {old.id})." in said
    assert asyncio.run(_read_name(env, database_url)) == ("Ada", new.id)

    # From the environment, the first key must be a new one.
    code, _, err = run(database_url, "rotate-master-key", env={"RAPPORT_MASTER_KEY": new.encoded()})
    assert code == 1
    assert "Not rotated" in err
    newer = MasterKey.generate()
    both = {"RAPPORT_MASTER_KEY": f"{newer.encoded()},{new.encoded()}"}
    code, _, err = run(database_url, "rotate-master-key", env=both)
    assert code == 0, err
    assert "Now give every process RAPPORT_MASTER_KEY with the new key alone." in " ".join(err.split())
    assert asyncio.run(_read_name({"RAPPORT_MASTER_KEY": newer.encoded()}, database_url)) == ("Ada", newer.id)


def test_migrate_wraps_keys_stored_before_0009(empty_database_url: str, tmp_path: Path) -> None:
    async def store_a_plain_key() -> bytes:
        from backend.infra import migrate

        await migrate.upgrade(empty_database_url, "0008")
        conn = await asyncpg.connect(empty_database_url)
        try:
            plain = MasterKey.generate().secret  # any 32 random bytes
            await conn.execute("INSERT INTO subject_keys (subject, key) VALUES ('contact-ada', $1)", plain)
            return plain
        finally:
            await conn.close()

    plain = asyncio.run(store_a_plain_key())
    env: dict[str, str | None] = {"RAPPORT_DATA_DIR": str(tmp_path), "RAPPORT_MASTER_KEY": None}
    code, _, err = run(empty_database_url, "migrate", env=env)
    assert code == 0, err
    assert "Wrapped 1 subject keys with the master key." in err

    async def stored() -> tuple[int, str, bytes | None]:
        conn = await asyncpg.connect(empty_database_url)
        try:
            row = await conn.fetchrow("SELECT key, kek_id FROM subject_keys")
            assert row is not None
            keyring = Keyring.from_settings(load_settings(_settings(env)))
            return len(row["key"]), row["kek_id"], keyring.open("contact-ada", row["key"], row["kek_id"])
        finally:
            await conn.close()

    [master] = parse_master_keys((tmp_path / "master.key").read_text())
    assert asyncio.run(stored()) == (60, master.id, plain)

    # Another master key than the one the database was written with is refused, not used.
    code, _, err = run(empty_database_url, "migrate", env={"RAPPORT_MASTER_KEY": MasterKey.generate().encoded()})
    assert code == 1
    assert "Wrong master key" in err
