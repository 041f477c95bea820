"""Throttles for signing in and signing up, counted in one table over sliding windows.

Signing in follows OWASP's device-cookie protocol, with an exponential backoff in place of a fixed
lockout, so that guesses slow an attacker down without locking the owner out (docs/security.md):

- From a browser with a device cookie for the account (devices.py), failures count for that cookie
  alone: after DEVICE_LIMIT of them in DEVICE_WINDOW it is treated like any other browser.
- Every other attempt is untrusted. Per account, the first ACCOUNT_FREE failures in ACCOUNT_WINDOW
  cost nothing; after that each attempt waits BACKOFF_BASE, doubling with every further failure up
  to BACKOFF_CAP, after the latest one. Per client address, ADDRESS_LIMIT failures in
  ADDRESS_WINDOW refuse the address until the oldest of them leaves the window. Unknown emails
  count exactly like real ones, or the throttle would tell which emails have accounts.

Signing up is limited per client address: SIGN_UP_LIMIT attempts, and TAKEN_LIMIT answers that the
email is taken (the answer that tells who has an account), per SIGN_UP_WINDOW.

Checks run before any password is hashed, so a throttled attempt costs no hashing and tells nothing.
A check and its record are separate statements: a burst of parallel attempts can overshoot a limit
by the burst's size, once; the next check then refuses them all.

Every mark is a row `(key, failed_at)` of `sign_in_failures`, named for its first use: failed
sign-ins under `account:<email>`, `address:<client>` and `device:<account>:<nonce>`, and sign-up
attempts under `sign-up:<client>` and `sign-up-taken:<client>`.
"""

import ipaddress
import math
from datetime import datetime, timedelta

import msgspec
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from backend.accounts.devices import Device
from backend.eventstore.types import Conn
from backend.web.problems import problem

DEVICE_LIMIT = 5
DEVICE_WINDOW = timedelta(minutes=15)
ACCOUNT_FREE = 5
ACCOUNT_WINDOW = timedelta(hours=24)
BACKOFF_BASE = timedelta(seconds=1)
BACKOFF_CAP = timedelta(minutes=15)
"""Once capped, an account takes about 100 untrusted guesses a day, however many addresses send them."""
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = timedelta(minutes=15)
SIGN_UP_LIMIT = 50
TAKEN_LIMIT = 5
SIGN_UP_WINDOW = timedelta(hours=1)
_KEPT = max(DEVICE_WINDOW, ACCOUNT_WINDOW, ADDRESS_WINDOW, SIGN_UP_WINDOW)


def client_key(host: str | None) -> str:
    """Who a client address stands for: an IPv4 address, or an IPv6 /64 (one subscriber's usual share).

    Keyed per IPv6 address, one host could take a fresh address, and a fresh allowance, per attempt.
    """
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def account_key(email: str) -> str:
    return f"account:{email.lower()}"


def address_key(client: str) -> str:
    return f"address:{client}"


def device_key(device: Device) -> str:
    return f"device:{device.account_id}:{device.nonce}"


def backoff(failures: int) -> timedelta:
    """How long after the latest failure an untrusted attempt must wait, with this many in the window."""
    if failures < ACCOUNT_FREE:
        return timedelta(0)
    doublings = min(failures - ACCOUNT_FREE, 20)  # 2^20 s is far past the cap already
    wait: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * 2**doublings)
    return wait


def too_many(slug: str, title: str, seconds: int) -> ProblemDetailsException:
    """429 with `Retry-After`, in the header and in the body."""
    error = problem(
        HTTP_429_TOO_MANY_REQUESTS,
        slug,
        title,
        f"Try again in {seconds} second{'' if seconds == 1 else 's'}.",
        retryAfter=seconds,
    )
    error.headers = {"Retry-After": str(seconds)}
    return error


def _seconds(until: datetime | None, now: datetime) -> int | None:
    if until is None or until <= now:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


class SignInGate(msgspec.Struct, frozen=True, kw_only=True):
    """What the throttle says of one sign-in attempt."""

    trusted: bool
    """From a device cookie still within its own limit: its failure counts for that cookie only."""
    retry_after: int | None
    """Seconds to wait before trying, or None when the attempt may go ahead."""


# One round trip: the device's failures, the address's limit-th latest failure (whose leaving the
# window lifts the limit), and the account's untrusted failures and the latest of them.
_SIGN_IN_MARKS = """
SELECT
    (SELECT count(*) FROM sign_in_failures WHERE key = $1 AND failed_at > $4::timestamptz - $5::interval)
        AS device_failures,
    (SELECT failed_at FROM sign_in_failures WHERE key = $2 AND failed_at > $4::timestamptz - $6::interval
        ORDER BY failed_at DESC OFFSET $7 - 1 LIMIT 1) AS address_nth,
    count(*) AS account_failures,
    max(failed_at) AS account_latest
FROM sign_in_failures WHERE key = $3 AND failed_at > $4::timestamptz - $8::interval
"""


async def sign_in_gate(conn: Conn, *, email: str, client: str, device: Device | None, now: datetime) -> SignInGate:
    """Whether this attempt is trusted, and whether it may go ahead now."""
    row = await conn.fetchrow(
        _SIGN_IN_MARKS,
        device_key(device) if device is not None else None,
        address_key(client),
        account_key(email),
        now,
        DEVICE_WINDOW,
        ADDRESS_WINDOW,
        ADDRESS_LIMIT,
        ACCOUNT_WINDOW,
    )
    if row is None:  # pragma: no cover - an aggregate without GROUP BY always answers one row
        raise RuntimeError("the sign-in throttle's statement answered no row")
    if device is not None and row["device_failures"] < DEVICE_LIMIT:
        return SignInGate(trusted=True, retry_after=None)
    waits = [
        _seconds(row["address_nth"] + ADDRESS_WINDOW if row["address_nth"] is not None else None, now),
        _seconds(row["account_latest"] + backoff(row["account_failures"]) if row["account_latest"] else None, now),
    ]
    longest = max((wait for wait in waits if wait is not None), default=None)
    return SignInGate(trusted=False, retry_after=longest)


# Stale rows are purged with every new mark, so the table holds at most the longest window's worth.
_RECORD = """
WITH purged AS (DELETE FROM sign_in_failures WHERE failed_at <= $2::timestamptz - $3::interval)
INSERT INTO sign_in_failures (key, failed_at) SELECT unnest($1::text[]), $2
"""


async def _record(conn: Conn, keys: list[str], now: datetime) -> None:
    await conn.execute(_RECORD, keys, now, _KEPT)


async def record_sign_in_failure(
    conn: Conn, *, email: str, client: str, device: Device | None, gate: SignInGate, now: datetime
) -> None:
    """A trusted device's failure counts for it alone; any other counts for the account and the address."""
    if gate.trusted and device is not None:
        await _record(conn, [device_key(device)], now)
    else:
        await _record(conn, [account_key(email), address_key(client)], now)


# For each key at or over its limit: the mark whose leaving the window brings it back under.
_HARD_LIMITS = """
SELECT max(m.failed_at + k.win) AS until
FROM unnest($1::text[], $2::int[], $3::interval[]) AS k(key, lim, win)
CROSS JOIN LATERAL (
    SELECT failed_at FROM sign_in_failures
    WHERE key = k.key AND failed_at > $4::timestamptz - k.win
    ORDER BY failed_at DESC
    OFFSET k.lim - 1 LIMIT 1
) m
"""


async def sign_up_retry_after(conn: Conn, *, client: str, now: datetime) -> int | None:
    """Seconds until this address may sign up again, or None when it may now."""
    until: datetime | None = await conn.fetchval(
        _HARD_LIMITS,
        [f"sign-up:{client}", f"sign-up-taken:{client}"],
        [SIGN_UP_LIMIT, TAKEN_LIMIT],
        [SIGN_UP_WINDOW, SIGN_UP_WINDOW],
        now,
    )
    return _seconds(until, now)


async def record_sign_up(conn: Conn, *, client: str, now: datetime) -> None:
    """Every sign-up that gets as far as looking at the email counts, whatever it answers."""
    await _record(conn, [f"sign-up:{client}"], now)


async def record_email_taken(conn: Conn, *, client: str, now: datetime) -> None:
    await _record(conn, [f"sign-up-taken:{client}"], now)
