"""Personal access tokens through the HTTP API: create, list, use, revoke; never another's."""

import hashlib
import uuid
from typing import Any

import asyncpg
import pytest

from backend.accounts.credentials import RECENT
from tests.api.conftest import Client, Student
from tests.api.helpers import PROBLEM, assert_problem

pytestmark = pytest.mark.api

TOKENS = "/api/v1/tokens"
SESSION = "/api/v1/auth/session"


async def create(client: Client, student: Student, name: str) -> dict[str, Any]:
    response = await client.post(TOKENS, json={"name": name}, headers=student.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_new_token_is_shown_once_then_listed_by_name_and_prefix(client: Client, student: Student) -> None:
    made = await create(client, student, "laptop script")
    assert made["token"].startswith("rpt_")
    assert len(made["token"]) > 40
    assert made["prefix"] == made["token"][:10]
    assert made["name"] == "laptop script"

    listed = (await client.get(TOKENS, headers=student.headers)).json()
    # The sign_up helper made the first one.
    assert [t["name"] for t in listed] == ["tests", "laptop script"]
    assert set(listed[1]) == {"tokenId", "name", "prefix", "createdAt", "lastUsedAt"}
    assert listed[1]["tokenId"] == made["tokenId"]
    assert made["token"] not in str(listed)

    as_new = await client.get(SESSION, headers={"Authorization": f"Bearer {made['token']}"})
    assert as_new.status_code == 200
    assert as_new.json()["accountId"] == str(student.account_id)
    assert as_new.json()["via"] == "token"


async def test_only_a_hash_of_the_token_is_stored(client: Client, student: Student, db: asyncpg.Connection) -> None:
    made = await create(client, student, "hashed")
    row = await db.fetchrow("SELECT * FROM access_tokens WHERE token_id = $1", uuid.UUID(made["tokenId"]))
    assert row is not None
    assert row["token_hash"] == hashlib.sha256(made["token"].encode()).digest()
    assert all(made["token"] not in str(value) for value in row.values())


async def test_a_revoked_token_no_longer_works(client: Client, student: Student) -> None:
    made = await create(client, student, "short-lived")
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert (await client.get(SESSION, headers=bearer)).status_code == 200

    # A token can revoke itself; no CSRF token is needed with a Bearer token.
    revoked = await client.delete(f"{TOKENS}/{made['tokenId']}", headers=bearer)
    assert revoked.status_code == 204
    refused = await client.get(SESSION, headers=bearer)
    assert_problem(refused, 401, "unauthenticated")
    assert refused.headers["www-authenticate"] == "Bearer"

    names = [t["name"] for t in (await client.get(TOKENS, headers=student.headers)).json()]
    assert names == ["tests"]
    assert_problem(await client.delete(f"{TOKENS}/{made['tokenId']}", headers=student.headers), 404, "not-found")


async def test_another_students_token_is_not_found(client: Client, student: Student, other_student: Student) -> None:
    theirs = await create(client, other_student, "theirs")
    response = await client.delete(f"{TOKENS}/{theirs['tokenId']}", headers=student.headers)
    assert_problem(response, 404, "not-found")
    # Untouched, and not in my list.
    assert (await client.get(SESSION, headers={"Authorization": f"Bearer {theirs['token']}"})).status_code == 200
    mine = (await client.get(TOKENS, headers=student.headers)).json()
    assert theirs["tokenId"] not in {t["tokenId"] for t in mine}


async def test_unknown_and_malformed_token_ids(client: Client, student: Student) -> None:
    assert_problem(await client.delete(f"{TOKENS}/{uuid.uuid4()}", headers=student.headers), 404, "not-found")
    response = await client.delete(f"{TOKENS}/not-a-uuid", headers=student.headers)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_last_used_is_noted_at_most_once_a_minute(
    client: Client, student: Student, db: asyncpg.Connection
) -> None:
    made = await create(client, student, "busy script")
    token_id = uuid.UUID(made["tokenId"])
    assert await db.fetchval("SELECT last_used_at FROM access_tokens WHERE token_id = $1", token_id) is None
    bearer = {"Authorization": f"Bearer {made['token']}"}

    await client.get(SESSION, headers=bearer)
    first = await db.fetchval("SELECT last_used_at FROM access_tokens WHERE token_id = $1", token_id)
    assert first is not None
    await client.get(SESSION, headers=bearer)
    assert await db.fetchval("SELECT last_used_at FROM access_tokens WHERE token_id = $1", token_id) == first

    await db.execute("UPDATE access_tokens SET last_used_at = last_used_at - interval '2 minutes'")
    RECENT.clear()  # as if the few seconds a checked credential is reused had passed
    await client.get(SESSION, headers=bearer)
    assert await db.fetchval("SELECT last_used_at FROM access_tokens WHERE token_id = $1", token_id) > first
    listed = {t["tokenId"]: t for t in (await client.get(TOKENS, headers=student.headers)).json()}
    assert listed[made["tokenId"]]["lastUsedAt"] is not None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no name"),
        pytest.param({"name": ""}, id="empty name"),
        pytest.param({"name": "   "}, id="blank name"),
        pytest.param({"name": "n" * 201}, id="name too long"),
        pytest.param({"name": 7}, id="name not a string"),
    ],
)
async def test_a_token_needs_a_sensible_name(
    client: Client, student: Student, db: asyncpg.Connection, body: dict[str, Any]
) -> None:
    response = await client.post(TOKENS, json=body, headers=student.headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert await db.fetchval("SELECT count(*) FROM access_tokens") == 1  # the sign_up helper's


async def test_tokens_need_credentials(client: Client) -> None:
    assert_problem(await client.get(TOKENS), 401, "unauthenticated")
    assert_problem(await client.post(TOKENS, json={"name": "x"}), 401, "unauthenticated")
    assert_problem(await client.delete(f"{TOKENS}/{uuid.uuid4()}"), 401, "unauthenticated")


async def test_a_new_token_is_never_kept_for_idempotent_replay(
    client: Client, student: Student, db: asyncpg.Connection
) -> None:
    """Keeping the answer would store the secret in clear: a repeated key makes a second token instead."""
    headers = {**student.headers, "Idempotency-Key": "token-1"}
    first = await client.post(TOKENS, json={"name": "ci"}, headers=headers)
    again = await client.post(TOKENS, json={"name": "ci"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["token"] != again.json()["token"]
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
