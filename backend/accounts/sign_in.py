"""Signing in with email and password: throttled, the same work and answer for an unknown email, and a new session."""

import time
from datetime import datetime, timedelta

import asyncpg
import msgspec

from backend.accounts import rate_limit
from backend.accounts.devices import issue_device_cookie, recognise_device
from backend.accounts.passwords import hash_password, needs_rehash, verify_password
from backend.accounts.principal import Principal, Role, unauthenticated
from backend.accounts.sessions import open_session
from backend.accounts.sign_up import SignedIn


class SignIn(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str


async def sign_in(
    pool: asyncpg.Pool, command: SignIn, *, client: str, device_cookie: str | None, now: datetime
) -> SignedIn:
    """A session for the account, or 401 (the same for an unknown email as for a wrong password), or 429.

    `client` is the client's address (rate_limit.client_key); `device_cookie` the browser's device
    cookie, if it sent one (devices.py).
    """
    started = time.monotonic()
    # Connections are not held while hashing: a burst of sign-ins must not drain the pool.
    async with pool.acquire() as conn:
        account = await conn.fetchrow(
            "SELECT account_id, email, role, password_hash FROM accounts WHERE lower(email) = lower($1)",
            command.email,
        )
        device = (
            recognise_device(device_cookie, account["account_id"], account["password_hash"])
            if account is not None
            else None
        )
        gate = await rate_limit.sign_in_gate(conn, email=command.email, client=client, device=device, now=now)
    if gate.retry_after is not None:
        raise rate_limit.too_many("too-many-sign-in-attempts", "Too many failed sign-in attempts", gate.retry_after)
    # Verified whether or not the account exists (an unknown email against a decoy hash), so an
    # unknown email costs the same argon2 work as a wrong password, and reads the same.
    matches = await verify_password(account["password_hash"] if account is not None else None, command.password)
    if account is None or not matches:
        # Marked when it is answered, not when it arrived: the hashing in between would otherwise
        # eat into the shortest backoffs, and the caller is told to wait from the answer.
        failed_at = now + timedelta(seconds=time.monotonic() - started)
        async with pool.acquire() as conn:
            await rate_limit.record_sign_in_failure(
                conn, email=command.email, client=client, device=device, gate=gate, now=failed_at
            )
        raise unauthenticated("The email or the password is not right.", slug="sign-in-failed", title="Sign-in failed")
    password_hash: str = account["password_hash"]
    new_hash = await hash_password(command.password) if needs_rehash(password_hash) else None
    async with pool.acquire() as conn, conn.transaction():
        if new_hash is not None:
            password_hash = new_hash
            await conn.execute(
                "UPDATE accounts SET password_hash = $2 WHERE account_id = $1", account["account_id"], new_hash
            )
        session = await open_session(conn, account["account_id"], now)
    role: Role = account["role"]
    return SignedIn(
        principal=Principal(account_id=account["account_id"], role=role, via="session", csrf_token=session.csrf_token),
        email=account["email"],
        session=session,
        # A new nonce at every success (OWASP): the old cookie's failures stay with the old cookie.
        device_cookie=issue_device_cookie(account["account_id"], password_hash),
    )
