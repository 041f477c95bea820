"""Sign-in throttling: failed attempts per account and per client address, over a sliding window.

Checked before the password is verified, so a throttled guess costs no hashing and reveals nothing.
Unknown emails count too, or the throttle would tell which emails have accounts. The check and the
record are separate statements: a burst of parallel guesses can overshoot a limit by the burst's
size, once; the next check then refuses them all.
"""

import math
from datetime import datetime, timedelta

from backend.eventstore.types import Conn

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


def account_key(email: str) -> str:
    return f"account:{email.lower()}"


def address_key(address: str) -> str:
    return f"address:{address}"


# For each key at or over its limit: the failure whose leaving the window brings it back under.
_BLOCKED_UNTIL = """
SELECT max(f.failed_at) + $4::interval AS until
FROM unnest($1::text[], $2::int[]) AS k(key, lim)
CROSS JOIN LATERAL (
    SELECT failed_at FROM sign_in_failures
    WHERE key = k.key AND failed_at > $3::timestamptz - $4::interval
    ORDER BY failed_at DESC
    OFFSET k.lim - 1 LIMIT 1
) f
"""

# Stale rows are purged with every new failure, so the table holds at most one window's worth.
_RECORD = """
WITH purged AS (DELETE FROM sign_in_failures WHERE failed_at <= $2::timestamptz - $3::interval)
INSERT INTO sign_in_failures (key, failed_at) SELECT unnest($1::text[]), $2
"""


async def retry_after(conn: Conn, *, email: str, address: str, now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None when neither key is over its limit."""
    until: datetime | None = await conn.fetchval(
        _BLOCKED_UNTIL,
        [account_key(email), address_key(address)],
        [ACCOUNT_LIMIT, ADDRESS_LIMIT],
        now,
        WINDOW,
    )
    if until is None:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


async def record_failure(conn: Conn, *, email: str, address: str, now: datetime) -> None:
    await conn.execute(_RECORD, [account_key(email), address_key(address)], now, WINDOW)


async def clear_account(conn: Conn, *, email: str) -> None:
    """A successful sign-in forgives the account's failures (not the address's: it may be guessing others)."""
    await conn.execute("DELETE FROM sign_in_failures WHERE key = $1", account_key(email))
