"""GET /api/v1/agenda on real PostgreSQL: what to do next, bucketed by the student's today."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api.conftest import Client, Student, sign_up

pytestmark = pytest.mark.api
PROBLEM = "application/problem+json"


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def local_today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def at_local(day: date, hour: int, zone: str) -> str:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).isoformat()


async def add(client: Client, student: Student, name: str, **body: Any) -> str:
    response = await client.post(
        "/api/v1/contacts", json={"name": name, "howFound": "alumni", **body}, headers=student.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def step(client: Client, student: Student, contact_id: str, path: str, body: dict[str, Any]) -> httpx.Response:
    response = await client.post(f"/api/v1/contacts/{contact_id}/{path}", json=body, headers=student.headers)
    assert response.status_code in {200, 201}, response.text
    return response


async def agenda(client: Client, student: Student, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/agenda", params=params, headers=student.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_agenda_buckets_by_the_students_today(
    client: Client, student: Student, other_student: Student
) -> None:
    zone = "America/New_York"
    today = local_today(zone)
    # A request 20 days ago with no answer: the follow-up (7 business days) and someone else at Acme (3) are late.
    ana = await add(client, student, "Ana Lee", organization="Acme")
    await step(client, student, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    # An interview tomorrow afternoon: prepare today.
    ben = await add(client, student, "Ben Ode", organization="Globex")
    scheduled = await step(
        client,
        student,
        ben,
        "interviews",
        {"startsAt": at_local(today + timedelta(days=1), 15, zone), "minutes": 20, "format": "video"},
    )
    tomorrow_interview = scheduled.headers["location"].rsplit("/", 1)[1]
    # An interview in 10 days: prepare on day 9, upcoming.
    cy = await add(client, student, "Cy Dunn")
    await step(
        client,
        student,
        cy,
        "interviews",
        {"startsAt": at_local(today + timedelta(days=10), 11, zone), "minutes": 30, "format": "phone"},
    )
    # Someone else's network never shows up.
    theirs = await add(client, other_student, "Not Mine")
    await step(
        client, other_student, theirs, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)}
    )

    body = await agenda(client, student)

    assert body["date"] == today.isoformat()
    assert body["timeZone"] == zone
    assert sorted((i["kind"], i["contactName"]) for i in body["overdue"]) == [
        ("follow_up", "Ana Lee"),
        ("reach_out_same_org", "Ana Lee"),
    ]
    assert all(i["bucket"] == "overdue" and i["lateAfter"] < today.isoformat() for i in body["overdue"])
    [prepare] = body["today"]
    assert prepare["kind"] == "prepare"
    assert prepare["contactId"] == ben
    assert prepare["ref"] == tomorrow_interview
    assert prepare["due"] == today.isoformat()
    assert prepare["bucket"] == "today"
    assert "Ben Ode" in prepare["reason"]
    assert "Globex" in prepare["reason"]  # it says why: research the person and the organization
    [later] = body["upcoming"]
    assert (later["kind"], later["contactId"], later["due"]) == (
        "prepare",
        cy,
        (today + timedelta(days=9)).isoformat(),
    )
    for item in body["overdue"] + body["today"] + body["upcoming"]:
        assert set(item) == {"key", "kind", "reason", "due", "lateAfter", "bucket", "contactId", "contactName", "ref"}
    dues = [(i["due"], i["key"]) for i in body["overdue"]]
    assert dues == sorted(dues)

    # `days` bounds how far ahead `upcoming` reaches; overdue and today stay.
    near = await agenda(client, student, days=5)
    assert near["upcoming"] == []
    assert len(near["overdue"]) == 2
    assert len(near["today"]) == 1


async def test_an_answered_item_leaves_the_agenda(client: Client, student: Student) -> None:
    ana = await add(client, student, "Ana Lee", organization="Acme")
    await step(client, student, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    # Reaching someone else at Acme answers "reach out to someone else at the same organization".
    other = await add(client, student, "Olga Acme", organization="acme")
    await step(client, student, other, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=1)})

    body = await agenda(client, student)

    assert [(i["kind"], i["contactName"]) for i in body["overdue"]] == [("follow_up", "Ana Lee")]


async def test_the_agenda_follows_the_students_time_zone(client: Client) -> None:
    kiribati = await sign_up(client, time_zone="Pacific/Kiritimati", country="KI")
    body = await agenda(client, kiribati)
    assert body["timeZone"] == "Pacific/Kiritimati"
    assert body["date"] == local_today("Pacific/Kiritimati").isoformat()
    assert body["overdue"] == body["today"] == body["upcoming"] == []


@pytest.mark.parametrize("days", ["-1", "91", "soon"])
async def test_bad_days_are_400_problems(client: Client, student: Student, days: str) -> None:
    response = await client.get("/api/v1/agenda", params={"days": days}, headers=student.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_the_agenda_needs_a_signed_in_student(client: Client) -> None:
    response = await client.get("/api/v1/agenda")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
