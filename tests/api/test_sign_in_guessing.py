"""Guessing at sign-in: an unknown email reads and times like a wrong password, and guesses slow down
without locking the owner out (device cookies, a per-account backoff, a per-address limit)."""

import logging
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.browsers import browser
from tests.api.conftest import PASSWORD, Client, sign_up

pytestmark = pytest.mark.api
log = logging.getLogger(__name__)

SIGN_IN = "/api/v1/auth/sign-in"
PROBLEMS = "https://rapport.example/problems/"
WRONG = "not the password at all"

SIGN_IN_FAILED = {
    "type": PROBLEMS + "sign-in-failed",
    "title": "Sign-in failed",
    "status": 401,
    "detail": "The email or the password is not right.",
}


def unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@example.edu"


def too_many(seconds: int) -> dict[str, Any]:
    return {
        "type": PROBLEMS + "too-many-sign-in-attempts",
        "title": "Too many failed sign-in attempts",
        "status": 429,
        "detail": f"Try again in {seconds} second{'' if seconds == 1 else 's'}.",
        "retryAfter": seconds,
    }


def answer(response: httpx.Response) -> tuple[int, str | None, str | None, Any]:
    """What a client can tell apart: the status, the headers that differ by case, and the whole body."""
    return (
        response.status_code,
        response.headers.get("retry-after"),
        response.headers.get("www-authenticate"),
        response.json(),
    )


def refused(response: httpx.Response) -> int:
    """Assert the whole answer is a 429 whose Retry-After (header and body) agree; the seconds."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert answer(response) == (429, str(seconds), None, too_many(seconds))
    return seconds


FAILED = (401, None, "Bearer", SIGN_IN_FAILED)
"""`answer` of a failed sign-in, whatever failed."""


async def backdate(db: asyncpg.Connection, seconds: int) -> None:
    """Move every throttle mark back in time: as if the client had waited that long."""
    await db.execute("UPDATE sign_in_failures SET failed_at = failed_at - make_interval(secs => $1)", seconds)


# -- an unknown email is a wrong password, to the outside ---------------------------------------------


@pytest.mark.slow
async def test_an_unknown_email_takes_as_long_and_reads_the_same_as_a_wrong_password(
    client: Client, db: asyncpg.Connection
) -> None:
    owner = await sign_up(client)
    tries = 30
    times: dict[str, list[float]] = {"unknown": [], "wrong": []}
    answers: dict[str, list[Any]] = {"unknown": [], "wrong": []}
    for attempt in range(tries + 1):
        kinds = ["unknown", "wrong"] if attempt % 2 else ["wrong", "unknown"]  # neither always goes first
        for kind in kinds:
            email = unknown_email() if kind == "unknown" else owner.email
            # The throttle is not what is measured here: its marks are cleared, so every try is hashed.
            await db.execute("DELETE FROM sign_in_failures")
            started = time.perf_counter()
            response = await client.post(SIGN_IN, json={"email": email, "password": WRONG})
            elapsed = time.perf_counter() - started
            answers[kind].append(answer(response))
            if attempt > 0:  # the first pair warms up the connections and the worker threads
                times[kind].append(elapsed)
    unknown, wrong = statistics.median(times["unknown"]), statistics.median(times["wrong"])
    # Shown with `--log-cli-level=INFO`, and with the failure otherwise.
    log.info(
        "sign-in medians over %d tries: unknown email %.1f ms, wrong password %.1f ms",
        tries,
        unknown * 1e3,
        wrong * 1e3,
    )
    assert max(unknown, wrong) <= 1.25 * min(unknown, wrong), (
        f"medians: unknown email {unknown * 1000:.1f} ms, wrong password {wrong * 1000:.1f} ms"
    )
    assert answers["unknown"] == answers["wrong"] == [FAILED] * (tries + 1)


# -- guesses slow down; the owner's own browser is not held up ---------------------------------------


async def test_guesses_from_everywhere_back_off_but_the_owner_signs_in_from_their_own_browser(
    client: Client, db: asyncpg.Connection
) -> None:
    owner = await sign_up(client)
    right = {"email": owner.email, "password": PASSWORD}
    wrong = {"email": owner.email, "password": WRONG}
    async with browser(client, "198.51.100.7") as phone:
        # The owner signs in on their phone: from now on it is a browser the account knows.
        assert (await phone.post(SIGN_IN, json=right)).status_code == 200

        # An attacker guesses from a new address every time, so no address reaches its own limit.
        addresses = (f"203.0.113.{n}" for n in range(1, 200))
        for _ in range(5):
            async with browser(client, next(addresses)) as attacker:
                assert answer(await attacker.post(SIGN_IN, json=wrong)) == FAILED
        # The account now makes untrusted attempts wait, longer after each further failure.
        waits = []
        for _ in range(5):
            async with browser(client, next(addresses)) as attacker:
                waits.append(refused(await attacker.post(SIGN_IN, json=wrong)))
                await backdate(db, waits[-1])  # the attacker waits exactly that long, and guesses again
                assert answer(await attacker.post(SIGN_IN, json=wrong)) == FAILED
        assert waits == [1, 2, 4, 8, 16]
        # Even the right password waits, from a browser the account does not know.
        async with browser(client, next(addresses)) as attacker:
            assert refused(await attacker.post(SIGN_IN, json=right)) == 32

        # The owner's phone is not held up: right now, the right password signs in.
        signed_in = await phone.post(SIGN_IN, json=right)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["accountId"] == str(owner.account_id)

    # It is the phone, not its network, that is trusted: another browser there waits like the rest.
    async with browser(client, "198.51.100.7") as borrowed:
        assert refused(await borrowed.post(SIGN_IN, json=right)) == 32


async def test_a_known_browser_that_keeps_failing_waits_like_any_other(client: Client, db: asyncpg.Connection) -> None:
    owner = await sign_up(client)
    right = {"email": owner.email, "password": PASSWORD}
    wrong = {"email": owner.email, "password": WRONG}
    async with browser(client, "198.51.100.7") as phone:
        assert (await phone.post(SIGN_IN, json=right)).status_code == 200
        # Its failures are its own: five of them, and the account's allowance is untouched…
        for _ in range(5):
            assert answer(await phone.post(SIGN_IN, json=wrong)) == FAILED
        assert await db.fetchval("SELECT count(*) FROM sign_in_failures WHERE key LIKE 'device:%'") == 5
        assert (
            await db.fetchval(
                "SELECT count(*) FROM sign_in_failures WHERE key LIKE 'account:%' OR key LIKE 'address:%'"
            )
            == 0
        )
        # …then it is a browser like any other, whose failures count for the account and the address.
        for _ in range(5):
            assert answer(await phone.post(SIGN_IN, json=wrong)) == FAILED
        assert refused(await phone.post(SIGN_IN, json=right)) == 1
        # Past its window it is trusted again, and the account's backoff does not hold it up.
        await backdate(db, 15 * 60)
        assert (await phone.post(SIGN_IN, json=right)).status_code == 200


async def test_a_device_cookie_helps_its_own_account_only_and_cannot_be_forged(
    client: Client, db: asyncpg.Connection
) -> None:
    owner, other = await sign_up(client), await sign_up(client)
    wrong = {"email": owner.email, "password": WRONG}
    async with browser(client, "198.51.100.7") as phone:
        assert (await phone.post(SIGN_IN, json={"email": other.email, "password": PASSWORD})).status_code == 200
        cookie = phone.cookies["rapport_device"]
        account, nonce, signature = cookie.split(".")
        assert account == other.account_id.hex
        forged = f"{owner.account_id.hex}.{nonce}.{signature}"
        for device_cookie in (cookie, forged):
            phone.cookies.clear()
            phone.cookies.set("rapport_device", device_cookie, domain="testserver.local", path="/api/v1/auth")
            # Neither is trusted for the owner's account: the sixth guess waits, as from anywhere.
            for _ in range(5):
                assert answer(await phone.post(SIGN_IN, json=wrong)) == FAILED
            assert refused(await phone.post(SIGN_IN, json=wrong)) == 1
            assert await db.fetchval("SELECT count(*) FROM sign_in_failures WHERE key LIKE 'device:%'") == 0
            await db.execute("DELETE FROM sign_in_failures")


async def test_the_device_cookie_is_http_only_strict_and_scoped_to_the_auth_routes(client: Client) -> None:
    owner = await sign_up(client)
    async with browser(client, "198.51.100.7") as phone:
        response = await phone.post(SIGN_IN, json={"email": owner.email, "password": PASSWORD})
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith("rapport_device=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert attributes == {
        "httponly": "HttpOnly",
        "max-age": "Max-Age=31536000",
        "path": "Path=/api/v1/auth",
        "samesite": "SameSite=strict",
    }


async def test_an_address_that_fails_twenty_times_waits_out_its_window(client: Client, db: asyncpg.Connection) -> None:
    owner = await sign_up(client)
    async with browser(client, "203.0.113.50") as sprayer:
        # Twenty different accounts, one guess each (no account reaches its backoff).
        for _ in range(20):
            response = await sprayer.post(SIGN_IN, json={"email": unknown_email(), "password": WRONG})
            assert answer(response) == FAILED
        throttled = await sprayer.post(SIGN_IN, json={"email": owner.email, "password": PASSWORD})
        assert 15 * 60 - 60 < refused(throttled) <= 15 * 60
    # Another network is not held up by it.
    async with browser(client, "198.51.100.7") as elsewhere:
        assert (await elsewhere.post(SIGN_IN, json={"email": owner.email, "password": PASSWORD})).status_code == 200
    assert await db.fetchval("SELECT count(*) FROM sign_in_failures WHERE key = 'address:203.0.113.50'") == 20


async def test_ipv6_clients_are_counted_by_their_64_prefix(client: Client, db: asyncpg.Connection) -> None:
    # One subscriber gets a whole /64: a fresh address per guess must not be a fresh allowance.
    for host in ("2001:db8:5:7::1", "2001:db8:5:7:a:b:c:d", "::ffff:203.0.113.9"):
        async with browser(client, host) as guesser:
            assert (await guesser.post(SIGN_IN, json={"email": unknown_email(), "password": WRONG})).status_code == 401
    keys = await db.fetch("SELECT key, count(*) FROM sign_in_failures WHERE key LIKE 'address:%' GROUP BY key")
    assert {row["key"]: row["count"] for row in keys} == {"address:2001:db8:5:7::/64": 2, "address:203.0.113.9": 1}
