"""What API tests share: a client on a fresh database, a connection to it, and students who have signed up.

`sign_up` leaves the client's cookies as they were and hands back Bearer headers, so one client can
act as several students by passing `headers=student.headers` on each request.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.app import create_app
from tests.conftest import settings_for_tests

Client = AsyncTestClient[Litestar]
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Student:
    account_id: UUID
    email: str
    password: str
    token: str
    """A personal access token (`rpt_…`), already in `headers`."""
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A single connection to the test's database, for looking at rows the API wrote."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings_for_tests(), database_url)) as test_client:
        yield test_client


async def _signed_up(
    client: Client, path: str, fields: dict[str, str], password: str, *, role: str | None = None
) -> Student:
    """POST the sign-up, then make a personal access token with its CSRF token; the client's cookies are kept."""
    email = fields["email"]
    saved = httpx.Cookies(client.cookies)
    try:
        signed_up = await client.post(path, json={**fields, "password": password})
        assert signed_up.status_code == 201, signed_up.text
        body = signed_up.json()
        if role is not None:
            assert body["role"] == role
        created = await client.post(
            "/api/v1/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": body["csrfToken"]}
        )
        assert created.status_code == 201, created.text
        token = created.json()["token"]
    finally:
        client.cookies = saved
    return Student(
        account_id=UUID(body["accountId"]),
        email=email,
        password=password,
        token=token,
        headers={"Authorization": f"Bearer {token}"},
    )


async def sign_up(
    client: Client,
    *,
    email: str | None = None,
    time_zone: str = "America/New_York",
    country: str = "US",
    display_name: str = "Sam Student",
    password: str = PASSWORD,
) -> Student:
    """Sign a new student up and give them a personal access token; the client's cookies are kept as they were."""
    email = email or f"student-{uuid.uuid4().hex[:10]}@example.edu"
    fields = {"email": email, "displayName": display_name, "timeZone": time_zone, "country": country}
    return await _signed_up(client, "/api/v1/auth/sign-up", fields, password)


@pytest.fixture
async def student(client: Client) -> Student:
    return await sign_up(client)


@pytest.fixture
async def other_student(client: Client) -> Student:
    return await sign_up(client)


async def sign_up_advisor(
    client: Client, *, email: str | None = None, display_name: str = "Dana Advisor", password: str = PASSWORD
) -> Student:
    """Sign a new advisor up and give them a personal access token, as `sign_up` does for a student."""
    email = email or f"advisor-{uuid.uuid4().hex[:10]}@example.edu"
    fields = {"email": email, "displayName": display_name}
    return await _signed_up(client, "/api/v1/auth/advisor-sign-up", fields, password, role="advisor")


@pytest.fixture
async def advisor(client: Client) -> Student:
    return await sign_up_advisor(client)
