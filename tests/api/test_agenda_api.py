"""GET /api/v1/agenda on real PostgreSQL: what to do next, bucketed by the student's today."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from backend.relationships.readmodels.agenda import AgendaView
from tests.api.conftest import Client, Student, sign_up
from tests.api.helpers import PROBLEM, add_contact_id, ago, get_json, location_id, step

pytestmark = pytest.mark.api


def local_today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def at_local(day: date, hour: int, zone: str) -> str:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).isoformat()


async def test_the_agenda_buckets_by_the_students_today(
    client: Client, student: Student, other_student: Student
) -> None:
    zone = "America/New_York"
    today = local_today(zone)
    # A request 20 days ago with no answer: the follow-up (7 business days) and someone else at Acme (3) are late.
    ana = await add_contact_id(client, student, "Ana Lee", organization="Acme")
    await step(client, student, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    # An interview tomorrow afternoon: prepare today.
    ben = await add_contact_id(client, student, "Ben Ode", organization="Globex")
    scheduled = await step(
        client,
        student,
        ben,
        "interviews",
        {"startsAt": at_local(today + timedelta(days=1), 15, zone), "minutes": 20, "format": "video"},
    )
    tomorrow_interview = location_id(scheduled)
    # An interview in 10 days: prepare on day 9, upcoming.
    cy = await add_contact_id(client, student, "Cy Dunn")
    await step(
        client,
        student,
        cy,
        "interviews",
        {"startsAt": at_local(today + timedelta(days=10), 11, zone), "minutes": 30, "format": "phone"},
    )
    # Someone else's network never shows up.
    theirs = await add_contact_id(client, other_student, "Not Mine")
    await step(
        client, other_student, theirs, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)}
    )

    body = await get_json(client, student, "/api/v1/agenda")

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
        assert set(item) == {
            "key",
            "kind",
            "reason",
            "due",
            "lateAfter",
            "bucket",
            "contactId",
            "contactName",
            "organization",
            "ref",
        }
    assert {i["organization"] for i in body["overdue"]} == {"Acme"}  # Ana's, to look for someone else there
    assert prepare["organization"] == "Globex"
    assert later["organization"] is None
    dues = [(i["due"], i["key"]) for i in body["overdue"]]
    assert dues == sorted(dues)

    # `days` bounds how far ahead `upcoming` reaches; overdue and today stay.
    near = await get_json(client, student, "/api/v1/agenda", days=5)
    assert near["upcoming"] == []
    assert len(near["overdue"]) == 2
    assert len(near["today"]) == 1


async def test_an_answered_item_leaves_the_agenda(client: Client, student: Student) -> None:
    ana = await add_contact_id(client, student, "Ana Lee", organization="Acme")
    await step(client, student, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    # Reaching someone else at Acme answers "reach out to someone else at the same organization".
    other = await add_contact_id(client, student, "Olga Acme", organization="acme")
    await step(client, student, other, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=1)})

    body = await get_json(client, student, "/api/v1/agenda")

    assert [(i["kind"], i["contactName"]) for i in body["overdue"]] == [("follow_up", "Ana Lee")]


async def test_the_agenda_follows_the_students_time_zone(client: Client) -> None:
    kiribati = await sign_up(client, time_zone="Pacific/Kiritimati", country="KI")
    body = await get_json(client, kiribati, "/api/v1/agenda")
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


async def test_each_bucket_stops_at_the_limit_and_counts_them_all(client: Client, student: Student) -> None:
    for name in ("Ana Lee", "Ben Ode", "Cy Park"):
        cid = await add_contact_id(client, student, name)
        await step(client, student, cid, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    full = await get_json(client, student, "/api/v1/agenda")
    # Written as JSON by PostgreSQL: it must decode strictly as the documented AgendaView.
    view = msgspec.json.decode(msgspec.json.encode(full), type=AgendaView, strict=True)
    assert {i.contact_name for i in view.overdue} == {"Ana Lee", "Ben Ode", "Cy Park"}
    assert all(i.bucket == "overdue" and i.due < view.date for i in view.overdue)
    assert [i["kind"] for i in full["overdue"]] == ["follow_up"] * 3
    assert full["counts"] == {"overdue": 3, "today": 0, "upcoming": 0}
    cut = await get_json(client, student, "/api/v1/agenda", limit=2)
    assert [i["key"] for i in cut["overdue"]] == [i["key"] for i in full["overdue"][:2]]
    assert cut["counts"]["overdue"] == 3
    refused = await client.get("/api/v1/agenda", params={"limit": 0}, headers=student.headers)
    assert refused.status_code == 400


async def test_the_agenda_is_tagged_and_a_kept_answer_never_outlives_a_step(client: Client, student: Student) -> None:
    first = await client.get("/api/v1/agenda", headers=student.headers)
    etag = first.headers["etag"]
    unchanged = await client.get("/api/v1/agenda", headers={**student.headers, "If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    again = await client.get("/api/v1/agenda", headers=student.headers)
    assert (again.content, again.headers["etag"]) == (first.content, etag)

    cid = await add_contact_id(client, student, "Ana Lee")
    await step(client, student, cid, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    changed = await client.get("/api/v1/agenda", headers={**student.headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert [i["contactName"] for i in changed.json()["overdue"]] == ["Ana Lee"]
    page = await client.get("/api/v1/contacts", headers={**student.headers, "If-None-Match": changed.headers["etag"]})
    assert page.status_code == 304  # the same tag: nothing of this student's changed since


async def test_kept_answers_are_sent_gzipped_to_those_who_accept_it(client: Client, student: Student) -> None:
    for n in range(12):
        cid = await add_contact_id(client, student, f"Person {n}", organization="Acme")
        await step(client, student, cid, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    plain = await client.get("/api/v1/agenda", headers={**student.headers, "Accept-Encoding": "identity"})
    zipped = await client.get("/api/v1/agenda", headers={**student.headers, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert zipped.json() == plain.json()  # httpx undoes the gzip
    # Twelve follow-ups; of the twelve "someone else at Acme" only the last is open (later requests answer it).
    assert len(zipped.json()["overdue"]) == zipped.json()["counts"]["overdue"] == 13
