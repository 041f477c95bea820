"""Subject keys wrapped with a master key the database never holds; erasure checked on the bytes on disk."""

import asyncio
import base64
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backend.config import Settings, load_settings
from backend.eventstore import ANY, NO_STREAM, REDACTED, EventStore, Metadata
from backend.eventstore.erasure import vacuum_read_models
from backend.eventstore.keys import (
    Keyring,
    MasterKey,
    MasterKeyError,
    Rotation,
    parse_master_keys,
    rotate_master_key,
)
from backend.infra import migrate
from backend.infra.db import create_pool
from tests.events import ContactAdded, NoteAdded, registry

pytestmark = pytest.mark.integration


def meta() -> Metadata:
    return Metadata(actor_id="student-1", command_id=uuid.uuid4())


def settings_for(data_dir: Path, master_key: str | None = None) -> Settings:
    environ = {"RAPPORT_DATA_DIR": str(data_dir)}
    if master_key is not None:
        environ["RAPPORT_MASTER_KEY"] = master_key
    return load_settings(environ)


def open_sealed(key: bytes, subject: str, event_type: str, field: str, envelope: dict[str, str]) -> str:
    """What an auditor holding `key` would do, from backend/eventstore/codec.py's documented format."""
    raw = base64.b64decode(envelope["v"])
    aad = f"{subject}\x1f{event_type}\x1f{field}".encode()
    return AESGCM(key).decrypt(raw[:12], raw[12:], aad).decode()


def opens(key: bytes, envelope: dict[str, str]) -> bool:
    try:
        open_sealed(key, "contact-ada", "ContactAdded", "name", envelope)
    except InvalidTag:
        return False
    return True


def _pg_dump(database_url: str, *args: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return subprocess.run(
        [str(Path(POSTGRES_BIN_PATH) / "pg_dump"), "--dbname", database_url, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _files(*folders: Path) -> Iterator[tuple[Path, bytes]]:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                yield path, path.read_bytes()


async def test_after_erasure_no_dump_wal_or_data_file_opens_the_erased_fields(
    pool: asyncpg.Pool, database_url: str, pg_server: Any
) -> None:
    keyring = Keyring([MasterKey.generate()])
    store = EventStore(pool, registry, keyring=keyring)
    await store.append(
        "contact-ada", NO_STREAM, [ContactAdded(contact_id="ada", name="Ada Lovelace", email="ada@a.example")], meta()
    )
    envelope = (await pool.fetchval("SELECT data FROM events WHERE stream_id = 'contact-ada'"))["name"]
    stored = await pool.fetchrow("SELECT key, kek_id FROM subject_keys WHERE subject = 'contact-ada'")
    assert stored is not None
    assert (len(stored["key"]), stored["kek_id"]) == (60, keyring.newest.id)
    # The subject key itself: what the code before wrapping stored, and the WAL then kept.
    plain = keyring.open("contact-ada", stored["key"], stored["kek_id"])
    assert plain is not None
    assert open_sealed(plain, "contact-ada", "ContactAdded", "name", envelope) == "Ada Lovelace"

    # With the database's contents alone: every bytea of subject_keys in a dump, and every 32 bytes in
    # it, tried as the key. None opens the name.
    dumped = _pg_dump(database_url, "--data-only", "--table=subject_keys")
    values = [bytes.fromhex(v) for v in re.findall(r"\\\\x([0-9a-f]+)", dumped)]
    assert values == [stored["key"]]
    candidates = [v[i : i + 32] for v in values for i in range(len(v) - 31)]
    assert len(candidates) == 29
    assert not [c for c in candidates if opens(c, envelope)]

    assert await store.forget("contact-ada")
    [added] = await store.read_stream("contact-ada")
    assert isinstance(added.event, ContactAdded)
    assert (added.event.name, added.redacted) == (REDACTED, frozenset({"name", "email"}))

    await pool.execute("CHECKPOINT")
    pgdata = Path(pg_server.pgdata)
    database = await pool.fetchval("SELECT oid FROM pg_database WHERE datname = current_database()")
    scanned = dict(_files(pgdata / "pg_wal", pgdata / "base" / str(database)))
    wal = [blob for path, blob in scanned.items() if "pg_wal" in path.parts]
    assert wal
    # The scan reads what PostgreSQL wrote: the wrapped key is in the WAL (harmless without the master key)…
    assert any(stored["key"] in blob for blob in wal)
    # …and neither the subject key nor the master key is anywhere in it, nor in the database's files.
    assert [p for p, blob in scanned.items() if plain in blob] == []
    assert [p for p, blob in scanned.items() if keyring.newest.secret in blob] == []
    whole = _pg_dump(database_url)
    assert plain.hex() not in whole
    assert keyring.newest.secret.hex() not in whole
    assert "Ada Lovelace" not in whole


@pytest.fixture
def file_settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path / "data")


async def _names(store: EventStore, stream_id: str) -> list[str]:
    names = []
    for recorded in await store.read_stream(stream_id):
        assert isinstance(recorded.event, ContactAdded)
        names.append(recorded.event.name)
    return names


async def test_rotation_rewraps_every_key_and_the_old_master_key_opens_none(
    pool: asyncpg.Pool, file_settings: Settings
) -> None:
    writer = EventStore(pool, registry, keyring=Keyring.from_settings(file_settings))
    for n in range(3):
        await writer.append(f"contact-{n}", NO_STREAM, [ContactAdded(contact_id=str(n), name=f"Person {n}")], meta())
    # Another process, which read the key file before the rotation.
    reader = EventStore(pool, registry, keyring=Keyring.from_settings(file_settings))
    [old] = parse_master_keys(file_settings.master_key_file.read_text())

    async with pool.acquire() as conn:
        done = await rotate_master_key(conn, file_settings)

    [new] = parse_master_keys(file_settings.master_key_file.read_text())
    assert (done.old_id, done.new_id, done.rewrapped, done.key_file) == (
        old.id,
        new.id,
        3,
        file_settings.master_key_file,
    )
    assert new.id != old.id
    assert file_settings.master_key_file.stat().st_mode & 0o777 == 0o600
    assert await pool.fetchval("SELECT kek_id FROM master_key") == new.id
    rows = await pool.fetch("SELECT subject, key, kek_id FROM subject_keys ORDER BY subject")
    assert [(r["subject"], r["kek_id"]) for r in rows] == [(f"contact-{n}", new.id) for n in range(3)]

    # Old data still opens, in a process that learns the new key from the file…
    assert [await _names(reader, f"contact-{n}") for n in range(3)] == [[f"Person {n}"] for n in range(3)]
    # …and one that still wraps under the old id finds the new one when it next creates a key.
    await writer.append("contact-3", NO_STREAM, [ContactAdded(contact_id="3", name="Person 3")], meta())
    assert await pool.fetchval("SELECT kek_id FROM subject_keys WHERE subject = 'contact-3'") == new.id
    fresh = EventStore(pool, registry, keyring=Keyring([new]))
    assert await _names(fresh, "contact-3") == ["Person 3"]

    # The old master key opens none of the stored keys: not by id, and not by trying it.
    with pytest.raises(MasterKeyError, match=new.id):
        Keyring([old]).open("contact-0", rows[0]["key"], rows[0]["kek_id"])
    for row in rows:
        for kek_id in (old.id, new.id):
            aad = f"rapport subject key\x1f{row['subject']}\x1f{kek_id}".encode()
            with pytest.raises(InvalidTag):
                AESGCM(old.secret).decrypt(row["key"][:12], row["key"][12:], aad)


async def test_key_creation_racing_a_rotation_ends_under_the_new_key(
    pool: asyncpg.Pool, file_settings: Settings
) -> None:
    writers = [EventStore(pool, registry, keyring=Keyring.from_settings(file_settings)) for _ in range(4)]
    await writers[0].append("contact-first", NO_STREAM, [ContactAdded(contact_id="f", name="First")], meta())

    written: list[str] = []
    ten_written = asyncio.Event()

    async def write(w: int) -> None:
        for n in range(15):
            await writers[w].append(
                f"contact-{w}x{n}", NO_STREAM, [ContactAdded(contact_id="c", name=f"{w}.{n}")], meta()
            )
            written.append(f"{w}.{n}")
            if len(written) >= 10:
                ten_written.set()

    async def rotate() -> Rotation:
        await ten_written.wait()
        async with pool.acquire() as conn:
            return await rotate_master_key(conn, file_settings)

    rotated = asyncio.create_task(rotate())
    await asyncio.gather(*(write(w) for w in range(4)))
    done = await rotated
    new_id = done.new_id
    assert 10 <= done.rewrapped < 61  # written on both sides of the rotation
    # The deferred foreign key let the rotation commit only with nothing left under the old id, and
    # every key created after it was wrapped under the new one.
    assert await pool.fetch("SELECT subject, kek_id FROM subject_keys WHERE kek_id <> $1", new_id) == []
    assert await pool.fetchval("SELECT count(*) FROM subject_keys") == 61
    fresh = EventStore(pool, registry, keyring=Keyring.from_settings(file_settings))
    assert [await _names(fresh, f"contact-{w}x{n}") for w in range(4) for n in range(15)] == [
        [f"{w}.{n}"] for w in range(4) for n in range(15)
    ]


async def test_rotation_with_keys_from_the_environment(pool: asyncpg.Pool, tmp_path: Path) -> None:
    old, new = MasterKey.generate(), MasterKey.generate()
    before = settings_for(tmp_path, old.encoded())
    store = EventStore(pool, registry, keyring=Keyring.from_settings(before))
    await store.append("contact-ada", NO_STREAM, [ContactAdded(contact_id="ada", name="Ada")], meta())

    during = settings_for(tmp_path, f"{new.encoded()}, {old.encoded()}")
    assert repr(during.master_key) == "Secret('***')"
    assert new.encoded() not in repr(during)  # settings may be logged; the key never is
    async with pool.acquire() as conn:
        done = await rotate_master_key(conn, during)
        assert (done.old_id, done.new_id, done.rewrapped, done.key_file) == (old.id, new.id, 1, None)
        with pytest.raises(MasterKeyError, match="put a new key first"):
            await rotate_master_key(conn, during)
    assert not (tmp_path / "master.key").exists()  # the environment's keys are never written down

    after = EventStore(pool, registry, keyring=Keyring.from_settings(settings_for(tmp_path, new.encoded())))
    assert await _names(after, "contact-ada") == ["Ada"]
    with pytest.raises(MasterKeyError, match="does not hold"):
        await store.read_stream("contact-ada")


async def test_a_process_with_another_master_key_is_refused_not_served_erased_data(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    ours = EventStore(pool, registry, keyring=Keyring([MasterKey.generate()]))
    await ours.append("contact-ada", NO_STREAM, [ContactAdded(contact_id="ada", name="Ada")], meta())
    # E.g. a projector in another container that made a key file of its own.
    theirs = EventStore(pool, registry, keyring=Keyring.from_settings(settings_for(tmp_path)))
    with pytest.raises(MasterKeyError, match="does not hold"):
        await theirs.read_stream("contact-ada")
    with pytest.raises(MasterKeyError, match="does not hold"):
        await theirs.append("contact-bob", NO_STREAM, [ContactAdded(contact_id="bob", name="Bob")], meta())
    assert await pool.fetchval("SELECT count(*) FROM subject_keys") == 1


def test_the_key_file_is_made_once_private_and_shared_by_processes_starting_together(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "fresh")
    rings = [Keyring.from_settings(settings) for _ in range(3)]
    assert {r.newest.id for r in rings} == {rings[0].newest.id}
    assert settings.master_key_file.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in settings.master_key_file.parent.iterdir()) == ["master.key"]  # no leftovers


async def test_keys_stored_before_wrapping_are_wrapped_at_start_up_and_still_open_their_data(
    empty_database_url: str,
) -> None:
    await migrate.upgrade(empty_database_url, "0008")
    plain = os.urandom(32)
    conn = await asyncpg.connect(empty_database_url)
    try:
        await conn.execute("INSERT INTO subject_keys (subject, key) VALUES ('contact-ada', $1)", plain)
    finally:
        await conn.close()
    await migrate.upgrade(empty_database_url)

    pool = await create_pool(empty_database_url, 2)
    try:
        keyring = Keyring([MasterKey.generate()])
        store = EventStore(pool, registry, keyring=keyring)
        assert await store.prepare_keys() == 1
        assert await store.prepare_keys() == 0
        stored = await pool.fetchrow("SELECT key, kek_id FROM subject_keys WHERE subject = 'contact-ada'")
        assert stored is not None
        assert (len(stored["key"]), stored["kek_id"]) == (60, keyring.newest.id)
        assert keyring.open("contact-ada", stored["key"], stored["kek_id"]) == plain

        # The subject key is the same one: data sealed under it opens with it.
        await store.append("contact-ada", ANY, [NoteAdded(text="prefers tea")], meta())
        envelope = (await pool.fetchval("SELECT data FROM events WHERE stream_id = 'contact-ada'"))["text"]
        assert open_sealed(plain, "contact-ada", "NoteAdded", "text", envelope) == "prefers tea"

        # And no key can be stored unwrapped any more.
        with pytest.raises(asyncpg.CheckViolationError, match="subject_keys_wrapped"):
            await pool.execute("INSERT INTO subject_keys (subject, key) VALUES ('contact-bob', $1)", plain)
    finally:
        await pool.close()


async def test_vacuum_read_models_clears_erased_values_from_the_table_and_index_files(
    pool: asyncpg.Pool, pg_server: Any
) -> None:
    await pool.execute("CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, search tsvector NOT NULL)")
    await pool.execute("CREATE INDEX people_by_name ON people (name)")
    await pool.execute("CREATE INDEX people_search ON people USING gin (search)")
    await pool.execute(
        "INSERT INTO people SELECT g, 'person ' || g, to_tsvector('simple', 'person ' || g)"
        " FROM generate_series(1, 500) g"
    )
    await pool.execute(
        "UPDATE people SET name = 'Zebedee Quintrell', search = to_tsvector('simple', 'Zebedee Quintrell') WHERE id = 7"
    )
    secrets = [b"Zebedee Quintrell", b"quintrell"]
    database = await pool.fetchval("SELECT oid FROM pg_database WHERE datname = current_database()")
    folder = Path(pg_server.pgdata) / "base" / str(database)

    async def holding() -> list[bytes]:
        await pool.execute("CHECKPOINT")
        return [s for s in secrets if any(s in blob for _, blob in _files(folder))]

    assert await holding() == secrets
    await pool.execute("UPDATE people SET name = '[erased]', search = '' WHERE id = 7")
    async with pool.acquire() as conn:
        async with conn.transaction():
            with pytest.raises(RuntimeError, match="outside any transaction"):
                await vacuum_read_models(conn, ["people"])
        with pytest.raises(ValueError, match="plain table names"):
            await vacuum_read_models(conn, ["people; DROP TABLE events"])
        await vacuum_read_models(conn, ["people"])
    assert await holding() == []
    assert await pool.fetchval("SELECT count(*) FROM people WHERE search @@ 'person'::tsquery") == 499


async def test_a_key_created_while_a_rotation_is_under_way_waits_and_is_wrapped_under_the_new_key(
    pool: asyncpg.Pool,
) -> None:
    old, new = MasterKey.generate(), MasterKey.generate()
    keyring = Keyring([old, new])
    store = EventStore(pool, registry, keyring=keyring)
    await store.append("contact-ada", NO_STREAM, [ContactAdded(contact_id="ada", name="Ada")], meta())
    ada = await pool.fetchval("SELECT key FROM subject_keys WHERE subject = 'contact-ada'")

    async with pool.acquire() as rotation:
        transaction = rotation.transaction()
        await transaction.start()
        await rotation.execute("UPDATE master_key SET kek_id = $1", new.id)
        # This store still wraps under the old id; its key creation must wait for the rotation.
        creating = asyncio.create_task(
            store.append("contact-bob", NO_STREAM, [ContactAdded(contact_id="bob", name="Bob")], meta())
        )
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%master_key%'"
        )
        for _ in range(200):
            if await pool.fetchval(waiting):
                break
            await asyncio.sleep(0.01)
        assert await pool.fetchval(waiting) == 1
        assert not creating.done()
        plain = keyring.open("contact-ada", ada, old.id)
        assert plain is not None
        await rotation.execute(
            "UPDATE subject_keys SET key = $1, kek_id = $2 WHERE subject = 'contact-ada'",
            keyring.wrap(new, "contact-ada", plain),
            new.id,
        )
        await transaction.commit()
    await creating
    rows = [tuple(r) for r in await pool.fetch("SELECT subject, kek_id FROM subject_keys ORDER BY subject")]
    assert rows == [("contact-ada", new.id), ("contact-bob", new.id)]
    assert await _names(EventStore(pool, registry, keyring=Keyring([new])), "contact-bob") == ["Bob"]
