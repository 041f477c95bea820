"""/api/v1/contacts end to end on real PostgreSQL: every step through HTTP, and every class of bad input.

A bad request must answer a 4xx with problem details and append nothing: each such test counts the
events in the log before and after.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import msgspec
import pytest

from backend.relationships.views import ContactPage, ContactSummary
from tests.api.conftest import Client, Student
from tests.api.helpers import add_contact, ago, assert_problem, count_events, step_json

pytestmark = pytest.mark.api


async def test_the_whole_lifecycle(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    contact = await add_contact(
        client, student, organization="Acme Health", careerField="Public health", tags=["Alumni"]
    )
    cid = contact["id"]
    assert contact["stage"] == "identified"
    assert contact["tags"] == ["alumni"]
    assert "request" in contact["nextSteps"]
    assert "thanks" not in contact["nextSteps"]

    requested = await step_json(
        client, student, cid, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=3)}
    )
    assert requested["stage"] == "requested"
    assert {i["kind"] for i in requested["agenda"]} == {"follow_up", "reach_out_same_org"}

    await step_json(client, student, cid, "answers", {"answer": "accepted"})
    r = await client.post(
        f"/api/v1/contacts/{cid}/interviews",
        json={"startsAt": ago(hours=2), "format": "video"},
        headers=student.headers,
    )
    assert r.status_code == 201, r.text
    interview = r.json()["interviews"][0]["id"]
    assert r.headers["location"] == f"/api/v1/interviews/{interview}"
    assert r.json()["stage"] == "scheduled"

    held = await step_json(
        client, student, cid, "held", {"interviewId": interview, "notes": "Loves field work", "fitSignal": 2}
    )
    assert held["stage"] == "interviewed"
    assert {i["kind"] for i in held["agenda"]} >= {"send_thanks", "log_referral"}

    thanked = await step_json(client, student, cid, "thanks", {"helpfulThing": "the reading list"})
    assert thanked["stage"] == "thanked"
    assert "send_thanks" not in {i["kind"] for i in thanked["agenda"]}

    r = await client.post(
        f"/api/v1/contacts/{cid}/referrals",
        json={"name": "Bo Chen", "organization": "City Lab"},
        headers=student.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["referrer"] is True
    new = await client.get(r.headers["location"], headers=student.headers)
    assert new.status_code == 200, new.text
    assert new.json()["referredBy"] == {"id": cid, "name": "Ana Lee", "erased": False}
    assert new.json()["howFound"] == "referral"
    assert [i["kind"] for i in new.json()["agenda"]] == ["contact_referral"]

    r = await client.post(
        f"/api/v1/contacts/{cid}/action-items",
        json={"what": "Read the book", "due": "2026-12-01"},
        headers=student.headers,
    )
    assert r.status_code == 201, r.text
    item = r.json()["actionItems"][0]["id"]
    done = await step_json(client, student, cid, "completed-action-items", {"itemId": item})
    assert done["actionItems"][0]["completedAt"] is not None
    await step_json(client, student, cid, "reflections", {"learned": "Field work matters", "nextSteps": "Volunteer"})
    await step_json(client, student, cid, "touches", {"shared": "I joined the society"})
    await step_json(client, student, cid, "notes", {"text": "Met at the alumni night"})
    archived = await step_json(client, student, cid, "archive", {"reason": "done for now"})
    assert archived["stage"] == "archived"
    assert archived["nextSteps"] == ["note", "restore", "erase"]
    restored = await step_json(client, student, cid, "restore", {})
    assert restored["stage"] == "thanked"
    assert restored["counts"] == {
        "requests": 1,
        "replies": 1,
        "interviewsHeld": 1,
        "thanks": 1,
        "referrals": 1,
        "notes": 1,
        "reflections": 1,
    }

    page = await client.get("/api/v1/contacts", headers=student.headers)
    assert page.status_code == 200, page.text
    assert [c["name"] for c in page.json()["items"]] == ["Ana Lee", "Bo Chen"]
    events = await pool.fetch("SELECT actor_id FROM events WHERE stream_id LIKE 'contact-%'")
    assert {e["actor_id"] for e in events} == {f"student:{student.account_id}"}


async def test_edit_with_etag_and_a_stale_version(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    contact = await add_contact(client, student)
    url = f"/api/v1/contacts/{contact['id']}"
    got = await client.get(url, headers=student.headers)
    assert got.headers["etag"] == '"1"'
    edited = await client.patch(url, json={"title": "Engineer"}, headers={**student.headers, "If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"2"'
    assert edited.json()["title"] == "Engineer"
    before = await count_events(pool)
    stale = await client.patch(url, json={"title": "Manager"}, headers={**student.headers, "If-Match": '"1"'})
    body = assert_problem(stale, 412)
    assert body["currentVersion"] == 2
    stale_step = await client.post(
        f"{url}/notes", json={"text": "hello"}, headers={**student.headers, "If-Match": '"1"'}
    )
    assert_problem(stale_step, 412)
    garbage = await client.patch(url, json={"title": "X"}, headers={**student.headers, "If-Match": "yesterday"})
    assert_problem(garbage, 400, "bad-precondition")
    assert await count_events(pool) == before


async def test_an_empty_string_clears_email_phone_and_linkedin(client: Client, student: Student) -> None:
    contact = await add_contact(client, student)
    url = f"/api/v1/contacts/{contact['id']}"
    filled = {"email": "ana@example.org", "phone": "+1 555 0100", "linkedinUrl": "https://linkedin.com/in/ana"}
    assert (await client.patch(url, json=filled, headers=student.headers)).status_code == 200
    cleared = await client.patch(url, json={"email": "", "phone": "", "linkedinUrl": ""}, headers=student.headers)
    assert cleared.status_code == 200, cleared.text
    assert {k: cleared.json()[k] for k in filled} == {"email": None, "phone": None, "linkedinUrl": None}
    assert_problem(await client.patch(url, json={"email": "not an address"}, headers=student.headers), 400)


async def test_same_idempotency_key_same_response_nothing_twice(
    client: Client, student: Student, pool: asyncpg.Pool
) -> None:
    headers = {**student.headers, "Idempotency-Key": "add-ana-1"}
    body = {"name": "Ana Lee", "howFound": "linkedin"}
    first = await client.post("/api/v1/contacts", json=body, headers=headers)
    assert first.status_code == 201, first.text
    before = await count_events(pool)
    again = await client.post("/api/v1/contacts", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await count_events(pool) == before
    different = await client.post("/api/v1/contacts", json={**body, "name": "Someone Else"}, headers=headers)
    assert assert_problem(different, 422)["type"].endswith("idempotency-key-reused")
    assert await count_events(pool) == before


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("interviews", {"startsAt": ago(hours=1), "format": "phone"}, 201),  # refused on retry: already scheduled
        ("notes", {"text": "Met at the fair"}, 200),  # allowed again: decided anew, with a later time
        ("", {"name": "Bo Chen", "howFound": "cold"}, 201),  # a new contact, its id derived from the key
    ],
)
async def test_an_idempotent_step_retried_after_its_answer_was_lost(  # noqa: PLR0917 - fixtures and parameters
    client: Client, student: Student, pool: asyncpg.Pool, path: str, body: dict[str, Any], status: int
) -> None:
    """The stored response is gone (as if the process died before keeping it): the store still dedupes."""
    contact = await add_contact(client, student)
    url = f"/api/v1/contacts/{contact['id']}/{path}" if path else "/api/v1/contacts"
    headers = {**student.headers, "Idempotency-Key": f"lost-{path}"}
    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == status, first.text
    await pool.execute("DELETE FROM idempotency_keys")
    before = await count_events(pool)
    again = await client.post(url, json=body, headers=headers)
    assert again.status_code == status, again.text
    assert again.headers.get("location") == first.headers.get("location")
    assert again.json()["version"] == first.json()["version"]
    assert await count_events(pool) == before


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"howFound": "alumni"}, "missing name"),
        ({"name": "Ana"}, "missing howFound"),
        ({"name": "", "howFound": "alumni"}, "empty name"),
        ({"name": "   ", "howFound": "alumni"}, "blank name"),
        ({"name": "A" * 201, "howFound": "alumni"}, "too long"),
        ({"name": 42, "howFound": "alumni"}, "wrong type"),
        ({"name": "Ana", "howFound": "astrology"}, "unknown enum"),
        ({"name": "Ana", "howFound": "alumni", "email": "not-an-email"}, "malformed email"),
        ({"name": "Ana", "howFound": "alumni", "tags": ["x"] * 21}, "too many tags"),
        ({"name": "Ana\u0000", "howFound": "alumni"}, "NUL"),
        ({"name": "Ana", "howFound": "referral"}, "referral without a referrer"),
    ],
)
async def test_bad_contacts_are_refused(
    client: Client, student: Student, pool: asyncpg.Pool, body: Any, why: str
) -> None:
    before = await count_events(pool)
    response = await client.post("/api/v1/contacts", json=body, headers=student.headers)
    assert 400 <= response.status_code < 500, why
    assert_problem(response, response.status_code)
    assert await count_events(pool) == before, why


async def test_malformed_json_and_wrong_shapes(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    before = await count_events(pool)
    broken = await client.post(
        "/api/v1/contacts", content=b'{"name": "Ana", ', headers={**student.headers, "Content-Type": "application/json"}
    )
    assert_problem(broken, 400)
    array = await client.post("/api/v1/contacts", json=["Ana"], headers=student.headers)
    assert_problem(array, 400)
    huge = await client.post(
        "/api/v1/contacts",
        content=b'{"name": "' + b"a" * 2_000_000 + b'"}',
        headers={**student.headers, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    # With an idempotency key the body is read before the route: the same limit holds there.
    keyed = await client.post(
        "/api/v1/contacts",
        content=b'{"name": "' + b"a" * 2_000_000 + b'"}',
        headers={**student.headers, "Content-Type": "application/json", "Idempotency-Key": "huge-1"},
    )
    assert_problem(keyed, 413)
    assert await count_events(pool) == before


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("thanks", {"helpfulThing": "the advice"}, 409, "not-held"),
        ("answers", {"answer": "accepted"}, 409, "no-request"),
        ("follow-ups", {"channel": "email"}, 409, "no-request"),
        ("held", {"interviewId": str(uuid4())}, 404, "not-found"),
        ("completed-action-items", {"itemId": str(uuid4())}, 404, "not-found"),
        ("requests", {"channel": "email", "format": "video", "sentAt": "2150-01-01T00:00:00Z"}, 422, "invalid-input"),
        ("requests", {"channel": "email", "format": "video", "sentAt": "2026-01-01T00:00:00"}, 400, None),
        ("requests", {"channel": "email", "format": "video", "minutes": 1000}, 400, None),
        ("restore", {}, 409, "not-archived"),
    ],
)
async def test_steps_the_rules_refuse(  # noqa: PLR0917 - fixtures and parameters
    client: Client, student: Student, pool: asyncpg.Pool, path: str, body: Any, status: int, code: str | None
) -> None:
    contact = await add_contact(client, student)
    before = await count_events(pool)
    response = await client.post(f"/api/v1/contacts/{contact['id']}/{path}", json=body, headers=student.headers)
    assert_problem(response, status, code)
    assert await count_events(pool) == before


async def test_scheduling_on_an_archived_contact(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    contact = await add_contact(client, student)
    await step_json(client, student, contact["id"], "archive", {})
    before = await count_events(pool)
    response = await client.post(
        f"/api/v1/contacts/{contact['id']}/interviews",
        json={"startsAt": ago(days=-2), "format": "video"},
        headers=student.headers,
    )
    assert_problem(response, 409, "contact-archived")
    assert await count_events(pool) == before


async def test_another_students_contact_is_not_found(
    client: Client, student: Student, other_student: Student, pool: asyncpg.Pool
) -> None:
    contact = await add_contact(client, student)
    before = await count_events(pool)
    for method, path, body in [
        ("GET", "", None),
        ("PATCH", "", {"title": "x"}),
        ("POST", "/notes", {"text": "mine now"}),
        ("GET", "/history", None),
        ("GET", "/drafts/request", None),
    ]:
        response = await client.request(
            method, f"/api/v1/contacts/{contact['id']}{path}", json=body, headers=other_student.headers
        )
        assert_problem(response, 404)
    unknown = await client.get(f"/api/v1/contacts/{uuid4()}", headers=student.headers)
    assert_problem(unknown, 404)
    listed = await client.get("/api/v1/contacts", headers=other_student.headers)
    assert listed.json() == {"items": [], "nextCursor": None}
    assert await count_events(pool) == before


async def test_filters_and_cursor_pagination(client: Client, student: Student) -> None:
    for n in range(7):
        await add_contact(
            client,
            student,
            name=f"Person {n}",
            careerField="Data science" if n % 2 else "UX research",
            tags=[f"t{n % 3}"],
        )
    requested = await add_contact(client, student, name="Requested Person", organization="Acme Analytics")
    await step_json(client, student, requested["id"], "requests", {"channel": "email", "format": "phone"})

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/contacts", params=params, headers=student.headers)).json()
        seen += [c["name"] for c in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8
    assert seen[0] == "Requested Person"

    async def names(**params: Any) -> set[str]:
        response = await client.get("/api/v1/contacts", params=params, headers=student.headers)
        assert response.status_code == 200, response.text
        return {c["name"] for c in response.json()["items"]}

    assert await names(stage="requested") == {"Requested Person"}
    assert len(await names(stage="identified")) == 7
    assert await names(field="  data SCIENCE ") == {"Person 1", "Person 3", "Person 5"}
    assert await names(tag="t0") == {"Person 0", "Person 3", "Person 6"}
    assert await names(q="acme") == {"Requested Person"}
    assert await names(q="analyt") == {"Requested Person"}
    assert await names(due="upcoming") == {"Requested Person"}
    assert len(await names(due="none")) == 7
    assert await names(q="!!!") == set()

    bad_cursor = await client.get("/api/v1/contacts", params={"cursor": "nonsense"}, headers=student.headers)
    assert_problem(bad_cursor, 400)
    bad_limit = await client.get("/api/v1/contacts", params={"limit": 1000}, headers=student.headers)
    assert_problem(bad_limit, 400)
    bad_due = await client.get("/api/v1/contacts", params={"due": "someday"}, headers=student.headers)
    assert_problem(bad_due, 400)


async def test_no_response_after_the_follow_up_window(client: Client, student: Student) -> None:
    contact = await add_contact(client, student)
    await step_json(
        client, student, contact["id"], "requests", {"channel": "email", "format": "video", "sentAt": ago(days=40)}
    )
    followed = await step_json(
        client, student, contact["id"], "follow-ups", {"channel": "email", "sentAt": ago(days=30)}
    )
    assert followed["stage"] == "no_response"
    listed = await client.get("/api/v1/contacts", params={"stage": "no_response"}, headers=student.headers)
    assert [c["id"] for c in listed.json()["items"]] == [contact["id"]]


async def test_erasure_forgets_personal_data_and_keeps_the_shape(
    client: Client, student: Student, pool: asyncpg.Pool
) -> None:
    added = await client.post(
        "/api/v1/contacts",
        json={
            "name": "Ana Lee",
            "howFound": "alumni",
            "email": "ana@example.com",
            "phone": "+1 555 0100",
            "notes": "Met at the fair",
        },
        headers={**student.headers, "Idempotency-Key": "add-ana"},
    )
    contact = added.json()
    assert await pool.fetchval("SELECT count(*) FROM idempotency_keys") == 1  # the answer, quoting Ana, is kept
    cid = contact["id"]
    await step_json(client, student, cid, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=2)})
    erased = await step_json(client, student, cid, "erasure", {})
    assert erased["erased"] is True
    assert erased["name"] != "Ana Lee"
    assert erased["email"] is None
    assert erased["counts"]["requests"] == 1
    assert erased["nextSteps"] == []
    history = await client.get(f"/api/v1/contacts/{cid}/history", headers=student.headers)
    assert history.status_code == 200, history.text
    added = history.json()["items"][0]
    assert "name" in added["redacted"]
    assert "Ana Lee" not in history.text
    assert "ana@example.com" not in history.text
    searched = await client.get("/api/v1/contacts", params={"q": "Ana"}, headers=student.headers)
    assert searched.json()["items"] == []
    refused = await client.post(f"/api/v1/contacts/{cid}/notes", json={"text": "x"}, headers=student.headers)
    assert_problem(refused, 409, "contact-erased")
    rows = await pool.fetch("SELECT name, state::text AS state FROM contacts WHERE contact_id = $1::uuid", cid)
    assert "Ana Lee" not in rows[0]["state"]
    assert "ana@example.com" not in rows[0]["state"]
    assert await pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_history_timeline_and_as_of(client: Client, student: Student) -> None:
    contact = await add_contact(client, student)
    cid = contact["id"]
    await step_json(client, student, cid, "requests", {"channel": "email", "format": "video"})
    middle = datetime.now(UTC)
    await step_json(client, student, cid, "answers", {"answer": "declined", "note": "too busy"})
    got = await client.get(f"/api/v1/contacts/{cid}/history", headers=student.headers)
    assert got.status_code == 200, got.text
    history = got.json()
    assert [e["type"] for e in history["items"]] == ["ContactAdded", "InterviewRequested", "RequestAnswered"]
    assert history["items"][2]["summary"] == "They declined."
    assert history["items"][0]["actor"] == {"id": f"student:{student.account_id}", "label": "you"}
    paged = (await client.get(f"/api/v1/contacts/{cid}/history", params={"limit": 2}, headers=student.headers)).json()
    assert len(paged["items"]) == 2
    rest = await client.get(
        f"/api/v1/contacts/{cid}/history", params={"cursor": paged["nextCursor"]}, headers=student.headers
    )
    assert rest.status_code == 200, rest.text
    assert [e["version"] for e in rest.json()["items"]] == [3]

    then = await client.get(f"/api/v1/contacts/{cid}/as-of", params={"at": middle.isoformat()}, headers=student.headers)
    assert then.status_code == 200, then.text
    assert then.json()["stage"] == "requested"
    assert then.json()["version"] == 2
    now_ = await client.get(f"/api/v1/contacts/{cid}", headers=student.headers)
    assert now_.json()["stage"] == "declined"
    before = await client.get(
        f"/api/v1/contacts/{cid}/as-of", params={"at": "2000-01-01T00:00:00Z"}, headers=student.headers
    )
    assert_problem(before, 404)
    naive = await client.get(
        f"/api/v1/contacts/{cid}/as-of", params={"at": "2026-01-01T00:00:00"}, headers=student.headers
    )
    assert_problem(naive, 400)


async def test_drafts_follow_the_advice(client: Client, student: Student) -> None:
    contact = await add_contact(client, student, email="ana@example.com", organization="Acme")
    request = await client.get(
        f"/api/v1/contacts/{contact['id']}/drafts/request", params={"minutes": 20}, headers=student.headers
    )
    assert request.status_code == 200, request.text
    draft = request.json()
    assert draft["to"] == "ana@example.com"
    assert draft["mailto"].startswith("mailto:ana@example.com?")
    assert "job" in draft["body"]
    assert "20" in draft["body"]
    thanks = await client.get(
        f"/api/v1/contacts/{contact['id']}/drafts/thanks",
        params={"helpfulThing": "your advice on portfolios"},
        headers=student.headers,
    )
    assert "your advice on portfolios" in thanks.json()["body"]
    wrong = await client.get(f"/api/v1/contacts/{contact['id']}/drafts/poem", headers=student.headers)
    assert 400 <= wrong.status_code < 500


async def test_a_page_written_by_postgresql_is_exactly_a_contact_page(client: Client, student: Student) -> None:
    """The page's JSON comes from SQL (read.SUMMARY_JSON): it must decode strictly as the documented Struct."""
    ana = await add_contact(client, student, tags=["alumni"], careerField="Data science", organization="Acme")
    await step_json(client, student, ana["id"], "requests", {"channel": "email", "format": "video"})
    await add_contact(client, student, name="Bo Chen")
    response = await client.get("/api/v1/contacts", params={"limit": 1}, headers=student.headers)
    assert response.headers["content-type"].startswith("application/json")
    page = msgspec.json.decode(response.content, type=ContactPage, strict=True)
    assert page.next_cursor is not None
    [item] = response.json()["items"]
    assert set(item) == {f.encode_name for f in msgspec.structs.fields(ContactSummary)}
    detail = (await client.get(f"/api/v1/contacts/{item['id']}", headers=student.headers)).json()
    summary = {k: detail[k] for k in item}
    assert msgspec.json.decode(msgspec.json.encode(item), type=ContactSummary) == msgspec.json.decode(
        msgspec.json.encode(summary), type=ContactSummary
    )
