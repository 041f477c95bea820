"""/api/v1/contacts end to end: every step through HTTP, on real PostgreSQL."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Client, Student

pytestmark = pytest.mark.api


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def add(client: Client, student: Student, **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/contacts", json={"name": "Ana Lee", "howFound": "alumni", **body}, headers=student.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_the_whole_lifecycle(client: Client, student: Student) -> None:
    contact = await add(client, student, organization="Acme Health", careerField="Public health")
    cid = contact["id"]
    assert contact["stage"] == "identified"
    r = await client.post(f"/api/v1/contacts/{cid}/requests", json={"channel": "email", "format": "video", "sentAt": ago(days=3)}, headers=student.headers)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "requested"
    r = await client.post(f"/api/v1/contacts/{cid}/interviews", json={"startsAt": ago(hours=2), "format": "video"}, headers=student.headers)
    assert r.status_code == 201, r.text
    interview = r.json()["interviews"][0]["id"]
    assert r.headers["location"] == f"/api/v1/interviews/{interview}"
    r = await client.post(f"/api/v1/contacts/{cid}/held", json={"interviewId": interview, "notes": "Loves field work"}, headers=student.headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/contacts/{cid}/thanks", json={"helpfulThing": "the reading list"}, headers=student.headers)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "thanked"
    r = await client.post(f"/api/v1/contacts/{cid}/referrals", json={"name": "Bo Chen", "organization": "City Lab"}, headers=student.headers)
    assert r.status_code == 201, r.text
    new = await client.get(r.headers["location"], headers=student.headers)
    assert new.status_code == 200, new.text
    assert new.json()["referredBy"]["id"] == cid
    page = await client.get("/api/v1/contacts", headers=student.headers)
    assert page.status_code == 200, page.text
    print(page.json())
    assert len(page.json()["items"]) == 2
