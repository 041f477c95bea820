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
