"""New passwords must be hard to guess (zxcvbn, counting the email and the name as known to a guesser).

A refusal is a 422 problem that names the field and says why, in zxcvbn's words or, for the email
and the name, in ours; nothing is created. Sign-in is not held to it: old passwords still work.
"""

from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Client

pytestmark = pytest.mark.api

PROBLEMS = "https://rapport.example/problems/"
EMAIL = "quillfeather.zebediah@example.edu"
NAME = "Zebediah Quillfeather"
ANOTHER_WORD = "Add another word or two. Uncommon words are better."


def weak(warning: str, *suggestions: str) -> dict[str, Any]:
    """The whole problem document of a refused password."""
    return {
        "type": PROBLEMS + "weak-password",
        "title": "Choose a stronger password",
        "status": 422,
        "detail": " ".join([warning, *suggestions]),
        "field": "password",
        "warning": warning,
        "suggestions": list(suggestions),
    }


REFUSED = [
    pytest.param(
        " " * 10,
        weak('Repeats like "aaa" are easy to guess.', ANOTHER_WORD, "Avoid repeated words and characters."),
        id="ten spaces",
    ),
    pytest.param("1234567890", weak("This is a top-100 common password.", ANOTHER_WORD), id="1234567890"),
    pytest.param(
        "quillfeather.zebediah",
        weak("It is built from your email address, which anyone guessing would try first.", ANOTHER_WORD),
        id="the email's local part",
    ),
    pytest.param(
        "ZebediahQuillfeather",
        weak("It is built from your name, which anyone guessing would try first.", ANOTHER_WORD),
        id="the name",
    ),
]


@pytest.mark.parametrize("path", ["/api/v1/auth/sign-up", "/api/v1/auth/advisor-sign-up"], ids=["student", "advisor"])
@pytest.mark.parametrize(("password", "problem"), REFUSED)
async def test_weak_passwords_are_refused_saying_why(
    client: Client, db: asyncpg.Connection, path: str, password: str, problem: dict[str, Any]
) -> None:
    response = await client.post(path, json={"email": EMAIL, "password": password, "displayName": NAME})
    assert (response.status_code, response.headers["content-type"], response.json()) == (
        422,
        "application/problem+json",
        problem,
    )
    assert "set-cookie" not in response.headers
    assert await db.fetchval("SELECT count(*) FROM accounts") == 0
    assert await db.fetchval("SELECT count(*) FROM events") == 0


@pytest.mark.parametrize("password", ["quillfeather.zebediah", "ZebediahQuillfeather", "correct horse battery staple"])
async def test_the_same_passwords_are_fine_for_someone_else_and_a_strong_one_for_anyone(
    client: Client, db: asyncpg.Connection, password: str
) -> None:
    # The local part and the name above are weak only for whoever they belong to.
    body = {"email": "sam.student@example.edu", "password": password, "displayName": "Sam Student"}
    response = await client.post("/api/v1/auth/sign-up", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer == {
        "accountId": answer["accountId"],
        "email": "sam.student@example.edu",
        "role": "student",
        "via": "session",
        "csrfToken": answer["csrfToken"],
    }
    assert await db.fetchval("SELECT count(*) FROM accounts") == 1


async def test_signing_in_is_not_held_to_the_strength_rule(client: Client, db: asyncpg.Connection) -> None:
    # Accounts made before the rule keep working: the rule is for new passwords only.
    from argon2 import PasswordHasher

    await client.post(
        "/api/v1/auth/sign-up",
        json={"email": "old@example.edu", "password": "correct horse battery staple", "displayName": "Old"},
    )
    await db.execute("UPDATE accounts SET password_hash = $1", PasswordHasher().hash("1234567890"))
    response = await client.post("/api/v1/auth/sign-in", json={"email": "old@example.edu", "password": "1234567890"})
    assert response.status_code == 200, response.text
