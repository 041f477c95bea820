"""Signing up: a student account and the student's event stream, or an advisor account; and a first session.

A taken email is answered 409 `email-taken`, which tells that the address has an account: with no
email sent to confirm an address, an answer that looked like success could not honestly be one. So
that answer is throttled per client address instead (rate_limit, docs/security.md), and both
answers cost the same argon2 hash first.
"""

import uuid
from datetime import datetime

import asyncpg
import msgspec
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from backend.accounts import rate_limit
from backend.accounts.devices import issue_device_cookie
from backend.accounts.passwords import hash_password, password_weakness
from backend.accounts.principal import Principal
from backend.accounts.sessions import NewSession, open_session
from backend.advisors import profile
from backend.calendar import is_country, is_time_zone
from backend.eventstore import EventStore, Metadata
from backend.eventstore.types import Conn
from backend.students.register import register_student
from backend.web.problems import problem


class SignUp(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str
    display_name: str
    time_zone: str
    country: str


class AdvisorSignUp(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str
    display_name: str


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    principal: Principal
    email: str
    session: NewSession
    device_cookie: str
    """This browser's new device cookie (devices.py): it has just proved it knows the password."""


def _check_calendar(time_zone: str, country: str) -> None:
    if not is_time_zone(time_zone):
        raise problem(
            HTTP_422_UNPROCESSABLE_ENTITY,
            "invalid-time-zone",
            "Unknown time zone",
            f"{time_zone!r} is not an IANA time zone name such as 'America/New_York'.",
        )
    if not is_country(country):
        raise problem(
            HTTP_422_UNPROCESSABLE_ENTITY,
            "invalid-country",
            "Unknown country",
            f"{country!r} is not a two-letter country code with a holiday calendar, such as 'US'.",
        )


async def _check_password(password: str, *, email: str, name: str) -> None:
    """422 `weak-password` naming the field and saying why, in zxcvbn's words (or ours, for the email and name)."""
    weak = await password_weakness(password, email=email, name=name)
    if weak is None:
        return
    raise problem(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "weak-password",
        "Choose a stronger password",
        " ".join([weak.warning, *weak.suggestions]).strip(),
        field="password",
        warning=weak.warning,
        suggestions=weak.suggestions,
    )


def _email_taken() -> Exception:
    return problem(
        HTTP_409_CONFLICT,
        "email-taken",
        "An account with this email exists",
        "Sign in instead, or use another email.",
    )


async def _admit(pool: asyncpg.Pool, client: str | None, now: datetime) -> None:
    """The per-address throttle: 429, or count this attempt. Only after the input was found valid, so a
    refused password does not use up the address's allowance."""
    if client is None:
        return
    async with pool.acquire() as conn:
        wait = await rate_limit.sign_up_retry_after(conn, client=client, now=now)
        if wait is not None:
            raise rate_limit.too_many("too-many-sign-ups", "Too many sign-ups from this network", wait)
        await rate_limit.record_sign_up(conn, client=client, now=now)


async def _taken(pool: asyncpg.Pool, client: str | None, now: datetime) -> Exception:
    if client is not None:
        async with pool.acquire() as conn:
            await rate_limit.record_email_taken(conn, client=client, now=now)
    return _email_taken()


_CREATE_ACCOUNT = (
    "INSERT INTO accounts (account_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT ((lower(email))) DO NOTHING RETURNING account_id"
)


async def _register(store: EventStore, conn: Conn, principal: Principal, command: SignUp, now: datetime) -> NewSession:
    """The student's stream and first session, in the account's transaction."""
    await register_student(
        store,
        student_id=principal.account_id,
        email=command.email,
        display_name=command.display_name,
        time_zone=command.time_zone,
        country=command.country,
        now=now,
        metadata=Metadata(actor_id=principal.actor_id, command_id=uuid.uuid4()),
        conn=conn,
    )
    return await open_session(conn, principal.account_id, now)


async def sign_up(
    pool: asyncpg.Pool, store: EventStore, command: SignUp, *, now: datetime, client: str | None = None
) -> SignedIn:
    """Create the account and register the student in one transaction; 409 when the email is taken.

    `client` is the client's address (rate_limit.client_key), whose sign-ups are throttled; None
    for callers that no network reaches (`rapport seed`, the benches).
    """
    _check_calendar(command.time_zone, command.country)
    await _check_password(command.password, email=command.email, name=command.display_name)
    await _admit(pool, client, now)
    password_hash = await hash_password(command.password)  # before the transaction: it takes a while
    # A student's account id is their student id, and they are the actor of their own registration.
    principal = Principal(account_id=uuid.uuid4(), role="student", via="session")
    async with pool.acquire() as conn, conn.transaction():
        # ON CONFLICT on the lower(email) index: a concurrent sign-up with the same email waits for
        # the first to commit and then inserts nothing, so exactly one of them gets the account.
        created = await conn.fetchval(
            _CREATE_ACCOUNT,
            principal.account_id,
            command.email,
            password_hash,
            principal.role,
            now,
        )
        if created is not None:
            session = await _register(store, conn, principal, command, now)
    if created is None:
        raise await _taken(pool, client, now)
    principal = msgspec.structs.replace(principal, csrf_token=session.csrf_token)
    return SignedIn(
        principal=principal,
        email=command.email,
        session=session,
        device_cookie=issue_device_cookie(principal.account_id, password_hash),
    )


async def sign_up_advisor(
    pool: asyncpg.Pool, command: AdvisorSignUp, *, now: datetime, client: str | None = None
) -> SignedIn:
    """Create an advisor account (no student stream: an advisor has no network of their own) and sign in.

    Checked and throttled as a student's sign-up is (`sign_up`).
    """
    await _check_password(command.password, email=command.email, name=command.display_name)
    await _admit(pool, client, now)
    password_hash = await hash_password(command.password)
    principal = Principal(account_id=uuid.uuid4(), role="advisor", via="session")
    async with pool.acquire() as conn, conn.transaction():
        created = await conn.fetchval(
            _CREATE_ACCOUNT, principal.account_id, command.email, password_hash, "advisor", now
        )
        if created is not None:
            await profile.register(conn, principal.account_id, command.display_name, now)
            session = await open_session(conn, principal.account_id, now)
    if created is None:
        raise await _taken(pool, client, now)
    principal = msgspec.structs.replace(principal, csrf_token=session.csrf_token)
    return SignedIn(
        principal=principal,
        email=command.email,
        session=session,
        device_cookie=issue_device_cookie(principal.account_id, password_hash),
    )
