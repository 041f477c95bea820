"""Many steps at once on one contact: a precondition decides who loses, and only a precondition.

With If-Match each step says which version it was decided on, so of 30 sent at once exactly one wins
and the rest get 412. Without it nothing was promised about the version: each step is decided again on
the new head until it lands, so all 30 are recorded (a 409 would come only if the rules refused one).
A repeat of an Idempotency-Key whose first request is still running gets 409 `request-in-progress`
with Retry-After, the one answer that means "try again later".
"""

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.conftest import Client, Student
from tests.api.helpers import add_contact
from tests.live_server import live_server, token_for

pytestmark = pytest.mark.api

N = 30


async def notes_at_once(client: Client, student: Student, contact: str, extra: dict[str, str]) -> list[int]:
    async def one(i: int) -> int:
        response = await client.post(
            f"/api/v1/contacts/{contact}/notes", json={"text": f"note {i}"}, headers={**student.headers, **extra}
        )
        return response.status_code

    return await asyncio.gather(*(one(i) for i in range(N)))


@pytest.mark.slow
def test_steps_without_if_match_are_all_recorded(pg_server: Any, template_url: str) -> None:
    """On the real server (the in-process test client runs one request at a time), at 30 connections."""
    with live_server(pg_server) as live:
        headers = token_for(live.url)
        with httpx.Client(base_url=live.url, headers=headers) as client:
            contact = client.post("/api/v1/contacts", json={"name": "Ana Lee", "howFound": "alumni"}).json()["id"]

        async def storm() -> list[int]:
            async with httpx.AsyncClient(base_url=live.url, headers=headers, timeout=30) as client:
                sent = [client.post(f"/api/v1/contacts/{contact}/notes", json={"text": f"{i}"}) for i in range(N)]
                return [r.status_code for r in await asyncio.gather(*sent)]

        statuses = asyncio.run(storm())
        with httpx.Client(base_url=live.url, headers=headers) as client:
            detail = client.get(f"/api/v1/contacts/{contact}").json()
    assert sorted(statuses) == [200] * N
    assert (detail["version"], detail["counts"]["notes"]) == (N + 1, N)


async def test_steps_with_one_if_match_have_one_winner(client: Client, student: Student) -> None:
    contact = (await add_contact(client, student))["id"]
    statuses = await notes_at_once(client, student, contact, {"If-Match": '"1"'})
    assert sorted(statuses) == [200] + [412] * (N - 1)


async def test_a_key_still_running_answers_in_progress(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    """The first request holds its key's lock until it commits; here the test holds it in its place."""
    contact = (await add_contact(client, student))["id"]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1::text), hashtext($2))", str(student.account_id), "k-1"
        )
        response = await client.post(
            f"/api/v1/contacts/{contact}/notes",
            json={"text": "hello"},
            headers={**student.headers, "Idempotency-Key": "k-1"},
        )
    assert (response.status_code, response.headers["retry-after"]) == (409, "1")
    assert response.json() == {
        "type": "https://rapport.example/problems/request-in-progress",
        "title": "The first request with this key is still running",
        "status": 409,
        "detail": "Nothing is lost: try again in a moment, and you will get its answer.",
    }
    again = await client.post(
        f"/api/v1/contacts/{contact}/notes",
        json={"text": "hello"},
        headers={**student.headers, "Idempotency-Key": "k-1"},
    )
    assert (again.status_code, again.json()["version"]) == (200, 2)
