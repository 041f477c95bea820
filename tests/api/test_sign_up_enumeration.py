"""Sign-up and who has an account: a taken email is told (409), but only so often per client address.

The rule and why are in docs/security.md: with no email sent to confirm an address, an answer that
looked like a success could not be one, so the 409 stays and the address is throttled.
"""

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.browsers import browser
from tests.api.conftest import PASSWORD, Client, sign_up

pytestmark = pytest.mark.api

SIGN_UP = "/api/v1/auth/sign-up"
ADVISOR_SIGN_UP = "/api/v1/auth/advisor-sign-up"
PROBLEMS = "https://rapport.example/problems/"

EMAIL_TAKEN = {
    "type": PROBLEMS + "email-taken",
    "title": "An account with this email exists",
    "status": 409,
    "detail": "Sign in instead, or use another email.",
}


def body(email: str | None = None) -> dict[str, Any]:
    return {"email": email or f"new-{uuid.uuid4().hex[:10]}@example.edu", "password": PASSWORD, "displayName": "Ada"}


def answer(response: httpx.Response) -> tuple[int, str | None, Any]:
    return response.status_code, response.headers.get("retry-after"), response.json()


def refused(response: httpx.Response) -> int:
    """Assert the whole answer is a sign-up 429 whose Retry-After (header and body) agree; the seconds."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert answer(response) == (
        429,
        str(seconds),
        {
            "type": PROBLEMS + "too-many-sign-ups",
            "title": "Too many sign-ups from this network",
            "status": 429,
            "detail": f"Try again in {seconds} seconds.",
            "retryAfter": seconds,
        },
    )
    return seconds


async def test_a_taken_email_is_told_five_times_an_hour_per_address(client: Client, db: asyncpg.Connection) -> None:
    taken = await sign_up(client)
    async with browser(client, "203.0.113.20") as prober:
        # Students' and advisors' sign-ups share the allowance; the case of the email does not matter.
        for path, email in [(SIGN_UP, taken.email), (ADVISOR_SIGN_UP, taken.email.upper())] * 2 + [
            (SIGN_UP, taken.email)
        ]:
            response = await prober.post(path, json=body(email))
            assert answer(response) == (409, None, EMAIL_TAKEN)
            assert "set-cookie" not in response.headers
        # The sixth is refused before the email is even looked at, and so is any sign-up from there.
        assert 3600 - 60 < refused(await prober.post(SIGN_UP, json=body(taken.email))) <= 3600
        assert 3600 - 60 < refused(await prober.post(ADVISOR_SIGN_UP, json=body())) <= 3600
    # Another network has its own allowance.
    async with browser(client, "198.51.100.7") as elsewhere:
        assert answer(await elsewhere.post(SIGN_UP, json=body(taken.email))) == (409, None, EMAIL_TAKEN)
        assert (await elsewhere.post(SIGN_UP, json=body())).status_code == 201
    assert await db.fetchval("SELECT count(*) FROM accounts") == 2


async def test_the_allowance_comes_back_as_the_hour_passes(client: Client, db: asyncpg.Connection) -> None:
    taken = await sign_up(client)
    async with browser(client, "203.0.113.20") as prober:
        for _ in range(5):
            assert answer(await prober.post(SIGN_UP, json=body(taken.email))) == (409, None, EMAIL_TAKEN)
        refused(await prober.post(SIGN_UP, json=body()))
        await db.execute("UPDATE sign_in_failures SET failed_at = failed_at - interval '1 hour'")
        assert (await prober.post(SIGN_UP, json=body())).status_code == 201


async def test_a_refused_password_does_not_use_up_the_allowance(client: Client) -> None:
    taken = await sign_up(client)
    async with browser(client, "203.0.113.20") as prober:
        for _ in range(8):
            weak = await prober.post(SIGN_UP, json={**body(taken.email), "password": "1234567890"})
            assert answer(weak) == (
                422,
                None,
                {
                    "type": PROBLEMS + "weak-password",
                    "title": "Choose a stronger password",
                    "status": 422,
                    "detail": "This is a top-100 common password. Add another word or two. Uncommon words are better.",
                    "field": "password",
                    "warning": "This is a top-100 common password.",
                    "suggestions": ["Add another word or two. Uncommon words are better."],
                },
            )
        assert answer(await prober.post(SIGN_UP, json=body(taken.email))) == (409, None, EMAIL_TAKEN)


@pytest.mark.slow
async def test_fifty_sign_ups_an_hour_per_address(client: Client) -> None:
    async with browser(client, "203.0.113.30") as signer:
        for _ in range(50):
            response = await signer.post(SIGN_UP, json=body())
            assert response.status_code == 201, response.text
        assert 3600 - 120 < refused(await signer.post(SIGN_UP, json=body())) <= 3600
    async with browser(client, "198.51.100.7") as elsewhere:
        assert (await elsewhere.post(SIGN_UP, json=body())).status_code == 201
