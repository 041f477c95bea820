"""Signing in with email and password: throttled, constant-ish in time, and a new session on success."""

from datetime import datetime

import asyncpg
import msgspec
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from backend.accounts import rate_limit
from backend.accounts.passwords import hash_password, needs_rehash, verify_password
from backend.accounts.principal import Principal, Role, unauthenticated
from backend.accounts.sessions import open_session
from backend.accounts.sign_up import SignedIn
from backend.problems import problem


class SignIn(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str


def _too_many(seconds: int) -> Exception:
    error = problem(
        HTTP_429_TOO_MANY_REQUESTS,
        "too-many-sign-in-attempts",
        "Too many failed sign-in attempts",
        f"Try again in {seconds} seconds.",
        retryAfter=seconds,
    )
    error.headers = {"Retry-After": str(seconds)}
    return error


async def sign_in(pool: asyncpg.Pool, command: SignIn, *, address: str, now: datetime) -> SignedIn:
    """A session for the account, or 401 (the same for an unknown email as for a wrong password), or 429."""
    # Connections are not held while hashing: a burst of sign-ins must not drain the pool.
    async with pool.acquire() as conn:
        wait = await rate_limit.retry_after(conn, email=command.email, address=address, now=now)
        if wait is not None:
            raise _too_many(wait)
        account = await conn.fetchrow(
            "SELECT account_id, email, role, password_hash FROM accounts WHERE lower(email) = lower($1)",
            command.email,
        )
    stored_hash: str | None = account["password_hash"] if account is not None else None
    if account is None or not await verify_password(stored_hash, command.password):
        async with pool.acquire() as conn:
            await rate_limit.record_failure(conn, email=command.email, address=address, now=now)
        raise unauthenticated("The email or the password is not right.", slug="sign-in-failed", title="Sign-in failed")
    new_hash = await hash_password(command.password) if needs_rehash(account["password_hash"]) else None
    async with pool.acquire() as conn, conn.transaction():
        await rate_limit.clear_account(conn, email=command.email)
        if new_hash is not None:
            await conn.execute(
                "UPDATE accounts SET password_hash = $2 WHERE account_id = $1", account["account_id"], new_hash
            )
        session = await open_session(conn, account["account_id"], now)
    role: Role = account["role"]
    return SignedIn(
        principal=Principal(account_id=account["account_id"], role=role, via="session", csrf_token=session.csrf_token),
        email=account["email"],
        session=session,
    )
