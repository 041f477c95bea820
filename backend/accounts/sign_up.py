"""Signing up: a student account and the student's event stream, or an advisor account; and a first session."""

import uuid
from datetime import datetime

import asyncpg
import msgspec
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from backend.accounts.passwords import hash_password
from backend.accounts.principal import Principal
from backend.accounts.sessions import NewSession, open_session
from backend.calendar import is_country, is_time_zone
from backend.eventstore import EventStore, Metadata
from backend.problems import problem
from backend.students.register import register_student


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


def _email_taken() -> Exception:
    return problem(
        HTTP_409_CONFLICT,
        "email-taken",
        "An account with this email exists",
        "Sign in instead, or use another email.",
    )


_CREATE_ACCOUNT = (
    "INSERT INTO accounts (account_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT ((lower(email))) DO NOTHING RETURNING account_id"
)


async def sign_up(pool: asyncpg.Pool, store: EventStore, command: SignUp, *, now: datetime) -> SignedIn:
    """Create the account and register the student in one transaction; 409 when the email is taken."""
    _check_calendar(command.time_zone, command.country)
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
        if created is None:
            raise _email_taken()
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
        session = await open_session(conn, principal.account_id, now)
    principal = msgspec.structs.replace(principal, csrf_token=session.csrf_token)
    return SignedIn(principal=principal, email=command.email, session=session)


async def sign_up_advisor(pool: asyncpg.Pool, command: AdvisorSignUp, *, now: datetime) -> SignedIn:
    """Create an advisor account (no student stream: an advisor has no network of their own) and sign in."""
    password_hash = await hash_password(command.password)
    principal = Principal(account_id=uuid.uuid4(), role="advisor", via="session")
    async with pool.acquire() as conn, conn.transaction():
        created = await conn.fetchval(
            _CREATE_ACCOUNT, principal.account_id, command.email, password_hash, "advisor", now
        )
        if created is None:
            raise _email_taken()
        await conn.execute(
            "INSERT INTO advisors (advisor_id, display_name, created_at) VALUES ($1, $2, $3)",
            principal.account_id,
            command.display_name,
            now,
        )
        session = await open_session(conn, principal.account_id, now)
    principal = msgspec.structs.replace(principal, csrf_token=session.csrf_token)
    return SignedIn(principal=principal, email=command.email, session=session)
