"""Helpers the API test files share: moments in time, contacts and their steps, reads, problem details.

A plain module (not a conftest, not a test file), so test modules import what they use from here
rather than from one another. Every helper that calls the API asserts the answer it expects, with the
response text in the failure message.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from backend.accounts.principal import Principal
from backend.advisors.access import Access, access_to_many
from tests.api.conftest import Client, Student

PROBLEM = "application/problem+json"
"""The content type of every error answer (RFC 9457 problem details)."""


def ago(**delta: float) -> str:
    """The ISO 8601 moment `delta` (keyword arguments of `timedelta`) before now, in UTC; negative for the future."""
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def add_contact(client: Client, student: Student, name: str = "Ana Lee", **body: Any) -> dict[str, Any]:
    """Add a contact found through alumni (`body` adds or overrides fields); the contact as answered (201)."""
    response = await client.post(
        "/api/v1/contacts", json={"name": name, "howFound": "alumni", **body}, headers=student.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_contact_id(client: Client, student: Student, name: str = "Ana Lee", **body: Any) -> str:
    """Add a contact as `add_contact` does; only its id."""
    return str((await add_contact(client, student, name, **body))["id"])


async def step(client: Client, student: Student, contact_id: str, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST `body` to the contact's lifecycle step `path` (`requests`, `held`, ...); the 200 or 201 response."""
    response = await client.post(f"/api/v1/contacts/{contact_id}/{path}", json=body, headers=student.headers)
    assert response.status_code in {200, 201}, response.text
    return response


async def step_json(
    client: Client, student: Student, contact_id: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Take a step as `step` does; the contact it answers with."""
    return dict((await step(client, student, contact_id, path, body)).json())


def location_id(response: httpx.Response) -> str:
    """The last segment of the response's Location header: the id of what it created."""
    return response.headers["location"].rsplit("/", 1)[1]


async def get_json(client: Client, student: Student, path: str, **params: Any) -> Any:
    """GET the full `path` (`/api/v1/...`) with query `params` as the student; the JSON body of the 200."""
    response = await client.get(path, params=params, headers=student.headers)
    assert response.status_code == 200, response.text
    return response.json()


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    """Assert `response` is a problem-details answer with `status` and a title; its body.

    With `slug`, its `type` must also end with `/slug`.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"]
    if slug is not None:
        assert body["type"].endswith("/" + slug)
    return body


async def count_events(pool: asyncpg.Pool) -> int:
    """How many events the log holds: a refused request must leave it unchanged."""
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def access_of(db: asyncpg.Connection, principal: Principal, student_id: UUID) -> Access | None:
    """The one authorization check's answer for one student."""
    return (await access_to_many(db, principal, [student_id]))[student_id]
