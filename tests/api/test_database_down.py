"""PostgreSQL stopped, closed to connections, or cutting a connection under a request: the API answers
503 `database-unavailable` with Retry-After (never a 500), /health says why, nothing is recorded, and
the API recovers by itself when the database is back.

All on real servers: a second embedded PostgreSQL that the test stops and starts again, and the tests'
own server, where a database is closed to connections and a backend is terminated in the middle of
a statement. Nothing is mocked.
"""

import asyncio
import json
import os
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.infra import migrate
from backend.infra.embedded import embedded_server
from tests.api.asgi import Answer, start_raw
from tests.api.conftest import PASSWORD, Client, Student, sign_up
from tests.api.helpers import add_contact_id, count_events
from tests.conftest import settings_for_tests

pytestmark = pytest.mark.api

UNAVAILABLE = {
    "status": 503,
    "type": "https://rapport.example/problems/database-unavailable",
    "title": "The database is unavailable",
}
RETRY_AFTER = "5"
DESCRIPTIONS = {
    "refused": "Nothing is listening where the database should be (connection refused).",
    "not-accepting": "The database server refuses new connections (starting, stopping, full, or closed to them).",
    "lost": "The connection to the database was lost.",
    "timeout": "The database did not answer in time.",
}


def assert_unavailable(response: httpx.Response | Answer, case: object) -> None:
    if isinstance(response, Answer):
        status, headers, body = (
            response.status,
            {k.decode(): v.decode() for k, v in response.headers.items()},
            response.body,
        )
    else:
        status, headers, body = response.status_code, dict(response.headers), response.content
    assert status == 503, (case, status, body)
    assert headers["content-type"].startswith("application/problem+json"), case
    assert headers["retry-after"] == RETRY_AFTER, case
    problem = json.loads(body)
    assert {key: problem.get(key) for key in UNAVAILABLE} == UNAVAILABLE, (case, problem)


def assert_health_says(response: httpx.Response, *reasons: str) -> str:
    """/health answers 503 for an unavailable database and names one of `reasons`, in words too."""
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == RETRY_AFTER
    body = response.json()
    assert body["status"] == "degraded"
    database = body["database"]
    assert database["reachable"] is False, database
    assert database["reason"] in reasons, database
    assert database["detail"] == DESCRIPTIONS[database["reason"]], database
    return str(database["reason"])


async def steps_while_down(client: Client, student: Student, contact: str) -> None:
    """A read, a write, signing in and a GraphQL query: each 503, none 500."""
    for attempt in range(2):  # the pool's open connection fails first, then a new one cannot be opened
        read = await client.get(f"/api/v1/contacts/{contact}", headers=student.headers)
        assert_unavailable(read, ("read", attempt))
    written = await client.post(
        "/api/v1/contacts",
        json={"name": "Ben Ode", "howFound": "alumni"},
        headers={**student.headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert_unavailable(written, "write")
    signed_in = await client.post("/api/v1/auth/sign-in", json={"email": student.email, "password": PASSWORD})
    assert_unavailable(signed_in, "sign-in")
    asked = await client.post("/graphql", json={"query": "{ me { id } }"}, headers=student.headers)
    assert_unavailable(asked, "graphql")


# -- a server of its own, stopped and started again -------------------------------------------------


@pytest.fixture
async def own_server(tmp_path: Path) -> AsyncIterator[tuple[Any, str]]:
    """A second embedded PostgreSQL with a migrated database, stopped at the end."""
    server = embedded_server(tmp_path)
    admin = await asyncpg.connect(server.get_uri("postgres"))
    try:
        await admin.execute("CREATE DATABASE rapport")
    finally:
        await admin.close()
    url = str(server.get_uri("rapport"))
    await migrate.upgrade(url)
    try:
        yield server, url
    finally:
        server.cleanup()


async def stop(server: Any) -> None:
    """Stop PostgreSQL as an operator would: a fast shutdown (what `pg_ctl stop -m fast` asks the postmaster
    for) cuts open sessions, and its socket goes with it."""
    pid = server.get_pid()
    os.kill(pid, signal.SIGINT)
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("PostgreSQL did not stop")


async def test_a_stopped_database_answers_503_and_comes_back(own_server: tuple[Any, str]) -> None:
    server, url = own_server
    async with AsyncTestClient(app=create_app(settings_for_tests(), url)) as client:
        student = await sign_up(client)
        contact = await add_contact_id(client, student)
        await stop(server)
        try:
            await steps_while_down(client, student, contact)
            assert_health_says(await client.get("/health"), "refused")
        finally:
            server.ensure_postgres_running()
        for _ in range(50):  # the pool opens new connections as they are asked for
            read = await client.get(f"/api/v1/contacts/{contact}", headers=student.headers)
            if read.status_code == 200:
                break
            assert_unavailable(read, "while coming back")
            await asyncio.sleep(0.1)
        assert read.status_code == 200, read.text
        assert (await client.get("/health")).json()["status"] == "ok"
    events = await asyncpg.connect(url)
    try:
        # Signing up (1) and the contact (1): nothing from the write that was refused.
        assert await events.fetchval("SELECT count(*) FROM events WHERE stream_id LIKE 'contact-%'") == 1
    finally:
        await events.close()


# -- the tests' server: a database closed to connections, a connection cut mid-statement ------------


async def database_name(conn: asyncpg.Connection) -> str:
    return str(await conn.fetchval("SELECT current_database()"))


@pytest.fixture
async def admin(pg_server: Any) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(pg_server.get_uri("postgres"))
    yield conn
    await conn.close()


async def test_a_database_closed_to_connections_answers_503(
    client: Client, student: Student, database_url: str, admin: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    contact = await add_contact_id(client, student)
    before = await count_events(pool)
    name = urlsplit(database_url).path.lstrip("/")
    await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await steps_while_down(client, student, contact)
        # The check's own connection may be one that was cut; the next ones are turned away at the door.
        seen = {assert_health_says(await client.get("/health"), "lost", "not-accepting") for _ in range(3)}
        assert "not-accepting" in seen, seen
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert await count_events(pool) == before
    again = await client.get(f"/api/v1/contacts/{contact}", headers=student.headers)
    assert again.status_code == 200, again.text


GRAPHQL_CONTACTS = {
    # `extensions` makes it a query no kept answer is looked up for: it goes straight to its resolvers.
    "query": "{ me { student { contacts(first: 5) { nodes { id } } } } }",
    "extensions": {},
}
CUT = {
    "rest": ("/api/v1/contacts", {"name": "Cy Cut", "howFound": "alumni"}, "events", False),
    "rest-with-idempotency-key": ("/api/v1/contacts", {"name": "Cy Cut", "howFound": "alumni"}, "events", True),
    "graphql-resolver": ("/graphql", GRAPHQL_CONTACTS, "contacts", False),
}
"""Where the request is when its connection is cut: appending (waiting for `events`), or in a GraphQL
resolver (waiting for `contacts`)."""


@pytest.mark.parametrize("where", CUT)
async def test_a_connection_cut_in_the_middle_of_a_request_answers_503(
    client: Client, student: Student, admin: asyncpg.Connection, db: asyncpg.Connection, where: str
) -> None:
    """The request waits on a lock; its backend is terminated while it waits, as a failover or a restart would."""
    path, sent, table, keyed = CUT[where]
    await add_contact_id(client, student)
    before = await db.fetchval("SELECT count(*) FROM events")
    headers = {name.lower(): value.encode() for name, value in student.headers.items()}
    headers["content-type"] = b"application/json"
    if keyed:
        headers["idempotency-key"] = str(uuid.uuid4()).encode()
    async with db.transaction():
        await db.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        answer = start_raw(client, "POST", path.encode(), headers=headers, chunks=(json.dumps(sent).encode(),))
        waiting = None
        for _ in range(100):
            waiting = await admin.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                await database_name(db),
            )
            if waiting is not None:
                break
            await asyncio.sleep(0.05)
        assert waiting is not None, f"the request never waited on {table}"
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", waiting)
        answered: Answer = await asyncio.wrap_future(answer)
        assert_unavailable(answered, where)
    assert await db.fetchval("SELECT count(*) FROM events") == before
    # The pool replaces the connection it lost: the same request goes through now.
    again = await client.post(path, json=sent, headers=student.headers)
    assert again.status_code in {200, 201}, again.text
    assert "errors" not in again.json(), again.text


async def test_health_answers_in_time_when_every_connection_is_busy(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that stopped answering keeps every connection busy: the check still answers, and says so."""
    monkeypatch.setattr("backend.web.health.CHECK_SECONDS", 0.3, raising=False)
    app = create_app(settings_for_tests({"RAPPORT_DB_POOL_SIZE": "1"}), database_url)
    async with AsyncTestClient(app=app) as client:

        async def hold() -> Any:
            return await app.state.pool.acquire()

        async def give_back(conn: Any) -> None:
            await app.state.pool.release(conn)

        held = client.blocking_portal.call(hold)  # the app's only connection, on the app's own loop
        try:
            assert_health_says(await client.get("/health"), "timeout")
        finally:
            client.blocking_portal.call(give_back, held)
        assert (await client.get("/health")).status_code == 200
