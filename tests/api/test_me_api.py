"""/api/v1/me: the student's own stream (profile, interests, goals, question bank) over HTTP."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from backend.students.questions import DEFAULT_QUESTIONS
from tests.api.conftest import Client, Student
from tests.api.helpers import assert_problem, count_events

pytestmark = pytest.mark.api


async def test_a_new_student_has_the_default_question_bank(client: Client, student: Student) -> None:
    response = await client.get("/api/v1/me", headers=student.headers)
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["email"] == student.email
    assert me["timeZone"] == "America/New_York"
    assert response.headers["etag"] == f'"{me["version"]}"'
    assert [q["text"] for q in me["questions"]] == [text for _, text in DEFAULT_QUESTIONS]
    topics = {q["topic"] for q in me["questions"]}
    assert {"background", "typical_day", "challenges", "rewards", "experience", "advice", "referrals"} <= topics


async def test_profile_interests_goals_and_questions(client: Client, student: Student) -> None:
    me = (await client.get("/api/v1/me", headers=student.headers)).json()
    updated = await client.patch(
        "/api/v1/me",
        json={"school": "State University", "timeZone": "Pacific/Auckland", "country": "nz"},
        headers={**student.headers, "If-Match": f'"{me["version"]}"'},
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["school"], updated.json()["timeZone"], updated.json()["country"]) == (
        "State University",
        "Pacific/Auckland",
        "NZ",
    )
    interests = await client.put(
        "/api/v1/me/interests",
        json={"interests": ["UX research", "UX research", "Data journalism"]},
        headers=student.headers,
    )
    assert interests.json()["interests"] == ["UX research", "Data journalism"]
    goals = await client.put(
        "/api/v1/me/goals", json={"interviewsPerMonth": 4, "requestsPerWeek": 3}, headers=student.headers
    )
    assert goals.json()["goals"] == {"interviewsPerMonth": 4, "requestsPerWeek": 3}

    added = await client.post(
        "/api/v1/me/questions",
        json={"text": "What surprised you most?", "topic": "challenges"},
        headers=student.headers,
    )
    assert added.status_code == 201, added.text
    got = await client.get(added.headers["location"], headers=student.headers)
    assert got.json() == added.json()
    removed = await client.delete(added.headers["location"], headers=student.headers)
    assert removed.status_code == 204
    gone = await client.get(added.headers["location"], headers=student.headers)
    assert_problem(gone, 404)


async def test_a_new_time_zone_moves_the_agenda(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    """Due dates are the student's local dates: a zone far ahead of UTC shifts a late-evening request a day."""
    sent = datetime(2026, 10, 1, 23, 30, tzinfo=UTC)  # Thursday evening in New York, Friday in Kiritimati
    contact = await client.post("/api/v1/contacts", json={"name": "Ana", "howFound": "alumni"}, headers=student.headers)
    cid = contact.json()["id"]
    await client.post(
        f"/api/v1/contacts/{cid}/requests",
        json={"channel": "email", "format": "video", "sentAt": sent.isoformat()},
        headers=student.headers,
    )
    before = await pool.fetchval("SELECT due FROM agenda_items WHERE contact_id = $1::uuid AND kind = 'follow_up'", cid)
    await client.patch("/api/v1/me", json={"timeZone": "Pacific/Kiritimati"}, headers=student.headers)
    after = await pool.fetchval("SELECT due FROM agenda_items WHERE contact_id = $1::uuid AND kind = 'follow_up'", cid)
    assert (before, after) == (date(2026, 10, 13), date(2026, 10, 14))  # 7 business days, Columbus Day skipped


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PATCH", "/api/v1/me", {"timeZone": "Mars/Olympus"}, 422),
        ("PATCH", "/api/v1/me", {"timeZone": "localtime"}, 422),  # a file of the system's zoneinfo, not a zone
        ("PATCH", "/api/v1/me", {"country": "ZZ"}, 422),
        ("PATCH", "/api/v1/me", {"country": "USA"}, 400),
        ("PATCH", "/api/v1/me", {"displayName": ""}, 400),
        ("PUT", "/api/v1/me/goals", {"interviewsPerMonth": -1, "requestsPerWeek": 1}, 400),
        ("PUT", "/api/v1/me/goals", {"interviewsPerMonth": "four", "requestsPerWeek": 1}, 400),
        ("PUT", "/api/v1/me/interests", {"interests": ["x" * 101]}, 400),
        ("POST", "/api/v1/me/questions", {"text": " "}, 400),
        ("POST", "/api/v1/me/questions", {"text": "Why?", "topic": "Not A Topic"}, 400),
        ("DELETE", f"/api/v1/me/questions/{uuid4()}", None, 404),
    ],
)
async def test_bad_profile_input(  # noqa: PLR0917 - fixtures and parameters
    client: Client, student: Student, pool: asyncpg.Pool, method: str, path: str, body: Any, status: int
) -> None:
    before = await count_events(pool)
    response = await client.request(method, path, json=body, headers=student.headers)
    assert_problem(response, status)
    assert await count_events(pool) == before


async def test_stale_profile_version(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    me = (await client.get("/api/v1/me", headers=student.headers)).json()
    await client.patch("/api/v1/me", json={"school": "A"}, headers=student.headers)
    before = await count_events(pool)
    stale = await client.patch(
        "/api/v1/me", json={"school": "B"}, headers={**student.headers, "If-Match": f'"{me["version"]}"'}
    )
    assert assert_problem(stale, 412)["currentVersion"] == me["version"] + 1
    assert await count_events(pool) == before


async def test_an_unchanged_profile_appends_nothing(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    before = await count_events(pool)
    same = await client.patch("/api/v1/me", json={"timeZone": "America/New_York"}, headers=student.headers)
    assert same.status_code == 200
    assert await count_events(pool) == before


async def test_a_question_retried_after_its_answer_was_lost(
    client: Client, student: Student, pool: asyncpg.Pool
) -> None:
    headers = {**student.headers, "Idempotency-Key": "question-1"}
    body = {"text": "What surprised you most?", "topic": "challenges"}
    first = await client.post("/api/v1/me/questions", json=body, headers=headers)
    assert first.status_code == 201, first.text
    await pool.execute("DELETE FROM idempotency_keys")
    before = await count_events(pool)
    again = await client.post("/api/v1/me/questions", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert await count_events(pool) == before
