"""A request body with a field the API does not know is refused with a 400 that names the field, and
records nothing: a misspelt field is never silently dropped (PATCH /me with `interests`, which has its
own route, used to answer 200 and change nothing)."""

import json

import asyncpg
import pytest

from tests.api.conftest import Client, Student, sign_up_advisor
from tests.api.helpers import add_contact_id, assert_problem, count_events

pytestmark = pytest.mark.api


async def test_unknown_fields_are_refused_and_named(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    ana = await add_contact_id(client, student, "Ana Lee")
    advisor = await sign_up_advisor(client)
    refused = [
        ("POST", "/api/v1/contacts", {"name": "Ben", "howFound": "alumni", "nmae": "Ben"}, "nmae"),
        ("PATCH", "/api/v1/me", {"interests": ["law"]}, "interests"),
        ("PATCH", f"/api/v1/contacts/{ana}", {"organisation": "Acme"}, "organisation"),
        ("POST", f"/api/v1/contacts/{ana}/requests", {"channel": "email", "format": "video", "when": "now"}, "when"),
        ("POST", "/api/v1/me/advisors", {"email": advisor.email, "scope": "notes", "role": "admin"}, "role"),
        ("PUT", "/api/v1/me/goals", {"interviewsPerMonth": 2, "requestsPerWeek": 3, "extra": 1}, "extra"),
    ]
    before = await count_events(pool)
    for method, path, body, field in refused:
        response = await client.request(method, path, content=json.dumps(body), headers=student.headers)
        problem = assert_problem(response, 400)
        assert field in json.dumps(problem), (path, problem)
    assert await count_events(pool) == before


async def test_sign_up_with_an_unknown_field_is_refused(client: Client) -> None:
    body = {
        "email": "new@example.edu",
        "password": "correct horse battery staple",
        "displayName": "New",
        "timeZone": "UTC",
        "country": "US",
        "isAdmin": True,
    }
    assert "isAdmin" in json.dumps(assert_problem(await client.post("/api/v1/auth/sign-up", json=body), 400))


async def test_dates_far_from_now_are_refused_by_name(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    """Year 1 or 9999 would overflow when moved into the student's time zone or counted in business days."""
    ana = await add_contact_id(client, student, "Ana Lee")
    refused = [
        (f"/api/v1/contacts/{ana}/requests", {"channel": "email", "format": "video", "sentAt": "0001-01-01T00:00:00Z"}),
        (f"/api/v1/contacts/{ana}/interviews", {"format": "phone", "startsAt": "9999-12-31T23:59:59Z"}),
        (f"/api/v1/contacts/{ana}/referrals", {"name": "Rita", "receivedAt": "0001-01-01T00:00:00+14:00"}),
        (f"/api/v1/contacts/{ana}/action-items", {"what": "Read", "due": "9999-12-31"}),
    ]
    before = await count_events(pool)
    for path, body in refused:
        problem = assert_problem(await client.post(path, json=body, headers=student.headers), 400)
        field = next(k for k in body if k.endswith(("At", "due")))
        assert f"`{field}` must be between 1900 and 2199" in json.dumps(problem), (path, problem)
    assert await count_events(pool) == before
    for at in ("9999-12-31T10:00:00-14:00", "0001-01-01T00:00:00+14:00"):
        response = await client.get(f"/api/v1/contacts/{ana}/as-of", params={"at": at}, headers=student.headers)
        assert_problem(response, 400, "out-of-range")


async def test_a_body_nested_too_deeply_is_refused(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    ana = await add_contact_id(client, student, "Ana Lee")
    before = await count_events(pool)
    deep = "[" * 100_000
    response = await client.post(f"/api/v1/contacts/{ana}/notes", content=deep, headers=student.headers)
    assert_problem(response, 400, "too-deep")
    signing_in = await client.post("/api/v1/auth/sign-in", content='{"email":' + deep)
    assert_problem(signing_in, 400, "too-deep")
    assert await count_events(pool) == before
