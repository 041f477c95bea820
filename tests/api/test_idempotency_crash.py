"""Idempotency keys across a crash, on the real server: kill -9 between commit and answer, and before commit.

The server's fault hook (RAPPORT_TEST_FAULTS, backend/web/idempotency.py; never set in production)
makes the process die at that point on requests whose key starts with `crash-`. The client sees the
connection drop, as a phone on a train would, and sends the same request again to a new server.
"""

from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import create_database, database_url_for, drop_database
from tests.live_server import in_thread, serving, token_for

pytestmark = [pytest.mark.api, pytest.mark.slow]


@pytest.fixture
def database(pg_server: Any, template_url: str) -> Iterator[str]:
    name = in_thread(create_database(pg_server))
    yield database_url_for(pg_server, name)
    in_thread(drop_database(pg_server, name))


async def rows(database_url: str, sql: str) -> list[Any]:
    conn = await asyncpg.connect(database_url)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


ADD = {"name": "Ana Lee", "howFound": "alumni"}


def dropped() -> Any:
    """The connection closes with no answer: the server died."""
    return pytest.raises(httpx.TransportError)


def test_an_answer_lost_to_a_crash_after_commit_is_replayed(database: str) -> None:
    with serving(database) as server:
        headers = token_for(server.url)
    key = {"Idempotency-Key": "crash-after-commit", **headers}
    with serving(database, {"RAPPORT_TEST_FAULTS": "exit-after-commit"}) as server, dropped():
        httpx.post(f"{server.url}/api/v1/contacts", json=ADD, headers=key, timeout=10)
    [(added,)] = in_thread(rows(database, "SELECT stream_id FROM events WHERE type = 'ContactAdded'"))
    with serving(database) as server:
        again = httpx.post(f"{server.url}/api/v1/contacts", json=ADD, headers=key, timeout=10)
        listed = httpx.get(f"{server.url}/api/v1/contacts", headers=headers, timeout=10).json()
    # The answer the client never saw, exactly as it was kept with the append; nothing recorded twice.
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
    assert added.endswith(again.json()["id"].replace("-", ""))
    assert [c["id"] for c in listed["items"]] == [again.json()["id"]]
    assert in_thread(rows(database, "SELECT count(*) FROM events WHERE type = 'ContactAdded'")) == [(1,)]


def test_a_key_whose_transaction_never_committed_is_free_at_once(database: str) -> None:
    with serving(database) as server:
        headers = token_for(server.url)
    key = {"Idempotency-Key": "crash-before-commit", **headers}
    with (
        serving(database, {"RAPPORT_TEST_FAULTS": "exit-before-commit"}) as server,
        pytest.raises(httpx.TransportError),
    ):
        httpx.post(f"{server.url}/api/v1/contacts", json=ADD, headers=key, timeout=10)
    assert in_thread(rows(database, "SELECT count(*) FROM events WHERE type = 'ContactAdded'")) == [(0,)]
    assert in_thread(rows(database, "SELECT count(*) FROM idempotency_keys")) == [(0,)]
    with serving(database) as server:
        again = httpx.post(f"{server.url}/api/v1/contacts", json=ADD, headers=key, timeout=10)
    # Not "in progress" for minutes: the request runs now, once.
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert in_thread(rows(database, "SELECT count(*) FROM events WHERE type = 'ContactAdded'")) == [(1,)]
