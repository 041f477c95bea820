"""/api/v1/interviews and the calendar feed on real PostgreSQL: lists, one interview, .ics files, the feed."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg
import httpx
import pytest

from tests.api.conftest import Client, Student
from tests.api.helpers import add_contact_id, assert_problem, get_json, location_id, step

pytestmark = pytest.mark.api


def at(**delta: float) -> str:
    """A moment `delta` from now (negative for the past)."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


async def schedule(client: Client, student: Student, contact_id: str, starts_at: str, **body: Any) -> str:
    response = await step(
        client, student, contact_id, "interviews", {"startsAt": starts_at, "minutes": 20, "format": "video", **body}
    )
    assert response.headers["location"].startswith("/api/v1/interviews/")
    return location_id(response)


def calendar_text(response: httpx.Response) -> str:
    """Assert `response` is a 200 iCalendar file; its text."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.startswith("BEGIN:VCALENDAR")
    return response.text


async def _three_interviews(client: Client, student: Student) -> dict[str, str]:
    """Ana tomorrow (upcoming), Ben three days ago (held and thanked), Cy next week (cancelled)."""
    ana = await add_contact_id(client, student, "Ana Lee", organization="Acme")
    ana_interview = await schedule(client, student, ana, at(days=1), place="https://meet.example/ana")
    ben = await add_contact_id(client, student, "Ben Ode")
    ben_interview = await schedule(client, student, ben, at(days=-3))
    await step(client, student, ben, "held", {"interviewId": ben_interview, "heldAt": at(days=-3)})
    await step(client, student, ben, "thanks", {"helpfulThing": "Advice", "sentAt": at(days=-3, hours=2)})
    cy = await add_contact_id(client, student, "Cy Dunn")
    cy_interview = await schedule(client, student, cy, at(days=7))
    await step(client, student, cy, "cancellations", {"interviewId": cy_interview, "reason": "Travel"})
    return {"ana": ana_interview, "ben": ben_interview, "cy": cy_interview, "ana_contact": ana, "ben_contact": ben}


async def test_upcoming_and_past_interviews(client: Client, student: Student, other_student: Student) -> None:
    ids = await _three_interviews(client, student)
    await schedule(client, other_student, await add_contact_id(client, other_student, "Not Mine"), at(days=2))

    upcoming = await get_json(client, student, "/api/v1/interviews")
    assert upcoming["nextCursor"] is None
    [ana] = upcoming["items"]
    assert ana == {
        "id": ids["ana"],
        "contactId": ids["ana_contact"],
        "startsAt": ana["startsAt"],
        "minutes": 20,
        "format": "video",
        "place": "https://meet.example/ana",
        "status": "scheduled",
        "heldAt": None,
        "thankedAt": None,
        "contactName": "Ana Lee",
        "thankedOnTime": None,
    }

    past = await get_json(client, student, "/api/v1/interviews", when="past")
    # Cancelled (next week) and held (three days ago), latest start first.
    assert [(i["id"], i["status"]) for i in past["items"]] == [(ids["cy"], "cancelled"), (ids["ben"], "held")]
    held = past["items"][1]
    assert held["contactName"] == "Ben Ode"
    assert held["thankedOnTime"] is True
    assert held["heldAt"] is not None


async def test_interview_pages_follow_their_cursors(client: Client, student: Student) -> None:
    expected = []
    for day in (3, 1, 2, 5, 4):
        contact = await add_contact_id(client, student, f"Person {day}")
        expected.append((day, await schedule(client, student, contact, at(days=day))))
    soonest_first = [i for _, i in sorted(expected)]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await get_json(client, student, "/api/v1/interviews", **params)
        seen += [i["id"] for i in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == soonest_first
    assert pages == 3


async def test_one_interview_and_its_calendar_file(client: Client, student: Student) -> None:
    ids = await _three_interviews(client, student)

    one = await get_json(client, student, f"/api/v1/interviews/{ids['ben']}")
    assert (one["id"], one["status"], one["contactName"], one["thankedOnTime"]) == (
        ids["ben"],
        "held",
        "Ben Ode",
        True,
    )

    response = await client.get(f"/api/v1/interviews/{ids['ana']}/calendar", headers=student.headers)
    ics = calendar_text(response)
    assert response.headers["content-disposition"] == 'attachment; filename="interview.ics"'
    assert f"UID:{ids['ana']}@rapport" in ics
    assert "Informational interview with Ana Lee" in ics


async def test_another_students_interview_is_not_found(
    client: Client, student: Student, other_student: Student
) -> None:
    ids = await _three_interviews(client, student)
    for path in (f"/api/v1/interviews/{ids['ana']}", f"/api/v1/interviews/{ids['ana']}/calendar"):
        assert_problem(await client.get(path, headers=other_student.headers), 404)
    assert_problem(await client.get(f"/api/v1/interviews/{uuid4()}", headers=student.headers), 404)
    assert_problem(await client.get(f"/api/v1/interviews/{uuid4()}/calendar", headers=student.headers), 404)


@pytest.mark.parametrize(
    "params", [{"when": "someday"}, {"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}, {"cursor": "x" * 201}]
)
async def test_bad_interview_list_parameters_are_400_problems(
    client: Client, student: Student, params: dict[str, Any]
) -> None:
    assert_problem(await client.get("/api/v1/interviews", params=params, headers=student.headers), 400)


async def test_interviews_need_a_signed_in_student(client: Client) -> None:
    assert_problem(await client.get("/api/v1/interviews"), 401)
    assert_problem(await client.post("/api/v1/calendar-feed"), 401)


# -- calendar feed ------------------------------------------------------------------------------


async def create_feed(client: Client, student: Student) -> str:
    """A new feed; the path of its URL."""
    response = await client.post("/api/v1/calendar-feed", headers=student.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"url", "createdAt"}
    url = urlsplit(str(body["url"]))
    assert url.scheme in {"http", "https"}
    assert url.netloc
    assert url.path.startswith("/api/v1/calendar-feeds/")
    assert url.path.endswith(".ics")
    return url.path


async def test_the_feed_status_says_whether_a_feed_is_live_and_since_when(client: Client, student: Student) -> None:
    status = "/api/v1/calendar-feed"
    assert await get_json(client, student, status) == {"active": False, "createdAt": None}
    await create_feed(client, student)
    first = await get_json(client, student, status)
    assert first["active"] is True
    assert first["createdAt"] is not None
    await create_feed(client, student)  # a new address: the status is the new feed's
    assert (await get_json(client, student, status))["createdAt"] >= first["createdAt"]
    assert (await client.delete(status, headers=student.headers)).status_code in {200, 204}
    assert await get_json(client, student, status) == {"active": False, "createdAt": None}


async def test_the_calendar_feed_is_read_without_signing_in(
    client: Client, student: Student, other_student: Student, pool: asyncpg.Pool
) -> None:
    ids = await _three_interviews(client, student)
    theirs = await schedule(client, other_student, await add_contact_id(client, other_student, "Not Mine"), at(days=2))
    path = await create_feed(client, student)

    response = await client.get(path)  # no credentials at all

    ics = calendar_text(response)
    assert response.headers["cache-control"] == "private, max-age=300"
    assert f"UID:{ids['ana']}@rapport" in ics
    assert f"UID:{ids['ben']}@rapport" in ics  # recent: it stays in the calendar after it happened
    cancelled = ics.split(f"UID:{ids['cy']}@rapport")[1].split("END:VEVENT")[0]
    assert "STATUS:CANCELLED" in cancelled  # so subscribed calendars remove it
    assert f"UID:{theirs}@rapport" not in ics
    assert "REFRESH-INTERVAL" in ics

    # The token also works without its .ics suffix, and only its hash is stored.
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert (await client.get(f"/api/v1/calendar-feeds/{token}")).status_code == 200
    stored = await pool.fetch("SELECT token_hash FROM calendar_feeds")
    assert all(token.encode() not in bytes(r["token_hash"]) for r in stored)


async def test_a_new_feed_revokes_the_old_one_and_revoking_makes_it_404(client: Client, student: Student) -> None:
    first = await create_feed(client, student)
    second = await create_feed(client, student)
    assert first != second
    assert_problem(await client.get(first), 404)
    assert (await client.get(second)).status_code == 200

    revoked = await client.delete("/api/v1/calendar-feed", headers=student.headers)
    assert revoked.status_code == 204
    assert_problem(await client.get(second), 404)
    # Revoking again is harmless.
    assert (await client.delete("/api/v1/calendar-feed", headers=student.headers)).status_code == 204


async def test_another_students_revocation_leaves_my_feed_alone(
    client: Client, student: Student, other_student: Student
) -> None:
    mine = await create_feed(client, student)
    await create_feed(client, other_student)
    assert (await client.delete("/api/v1/calendar-feed", headers=other_student.headers)).status_code == 204
    assert (await client.get(mine)).status_code == 200


@pytest.mark.parametrize("token", ["nope", "nope.ics", ".ics", "x" * 300])
async def test_an_unknown_feed_token_is_a_404_problem(client: Client, token: str) -> None:
    assert_problem(await client.get(f"/api/v1/calendar-feeds/{token}"), 404)


async def test_concurrent_feed_creations_leave_one_live_feed(
    client: Client, student: Student, pool: asyncpg.Pool
) -> None:
    created = await asyncio.gather(*(client.post("/api/v1/calendar-feed", headers=student.headers) for _ in range(4)))
    assert [r.status_code for r in created] == [201] * 4
    live = await pool.fetchval(
        "SELECT count(*) FROM calendar_feeds WHERE student_id = $1 AND revoked_at IS NULL", student.account_id
    )
    assert live == 1
