"""Consent over REST: a student grants an advisor access (by email or invite code), changes its scope,
revokes it, and sees who looked at what; advisors make invite codes. Refusals append nothing."""

import asyncio
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from backend.accounts.principal import Principal
from backend.advisors.access import Access, Read, record_reads
from backend.advisors.projection import ADVISORS
from backend.eventstore.rebuild import rebuild
from backend.eventstore.store import EventStore
from backend.registry import event_registry, inline_projections
from tests.api.conftest import Client, Student, sign_up, sign_up_advisor
from tests.api.helpers import access_of, add_contact_id, assert_problem, get_json

pytestmark = pytest.mark.api


async def count(db: asyncpg.Connection) -> int:
    """How many events the log holds: a refused request must leave it unchanged."""
    return int(await db.fetchval("SELECT count(*) FROM events"))


def as_advisor(advisor: Student) -> Principal:
    return Principal(account_id=advisor.account_id, role="advisor", via="token")


async def grant(client: Client, student: Student, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/me/advisors", json=body, headers=student.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def invite_code(client: Client, advisor: Student) -> str:
    response = await client.post("/api/v1/advisor/invite-codes", headers=advisor.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


async def test_an_advisor_signs_up_without_a_student_stream(
    client: Client, advisor: Student, db: asyncpg.Connection
) -> None:
    session = await get_json(client, advisor, "/api/v1/auth/session")
    assert (session["role"], session["email"]) == ("advisor", advisor.email)
    assert (
        await db.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", f"student-{advisor.account_id.hex}") == 0
    )
    assert (
        await db.fetchval("SELECT display_name FROM advisors WHERE advisor_id = $1", advisor.account_id)
        == "Dana Advisor"
    )
    taken = await client.post(
        "/api/v1/auth/advisor-sign-up",
        json={"email": advisor.email.upper(), "password": "another long password", "displayName": "X"},
    )
    assert_problem(taken, 409, "email-taken")


async def test_grant_by_email_change_scope_and_revoke(
    client: Client, student: Student, advisor: Student, db: asyncpg.Connection
) -> None:
    created = await client.post(
        "/api/v1/me/advisors", json={"email": advisor.email.upper(), "scope": "summary"}, headers=student.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["advisorId"] == str(advisor.account_id)
    assert (body["email"], body["displayName"], body["scope"], body["via"]) == (
        advisor.email,
        "Dana Advisor",
        "summary",
        "email",
    )
    assert body["changedAt"] is None
    assert await get_json(client, student, created.headers["location"]) == body
    # Takes effect at once: the one authorization check sees it.
    assert await access_of(db, as_advisor(advisor), student.account_id) == Access(student.account_id, "summary")

    changed = await client.patch(
        f"/api/v1/me/advisors/{advisor.account_id}", json={"scope": "notes"}, headers=student.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["scope"] == "notes"
    assert changed.json()["changedAt"] is not None
    assert await access_of(db, as_advisor(advisor), student.account_id) == Access(student.account_id, "notes")

    before = await count(db)
    same = await client.patch(
        f"/api/v1/me/advisors/{advisor.account_id}", json={"scope": "notes"}, headers=student.headers
    )
    assert same.status_code == 200, same.text
    assert await count(db) == before

    revoked = await client.delete(f"/api/v1/me/advisors/{advisor.account_id}", headers=student.headers)
    assert revoked.status_code == 204, revoked.text
    assert await access_of(db, as_advisor(advisor), student.account_id) is None
    assert (await get_json(client, student, "/api/v1/me/advisors"))["items"] == []
    gone = await client.get(f"/api/v1/me/advisors/{advisor.account_id}", headers=student.headers)
    assert_problem(gone, 404, "advisor-not-granted")
    types = [
        r["type"]
        for r in await db.fetch(
            "SELECT type FROM events WHERE stream_id = $1 AND type LIKE 'AdvisorAccess%' ORDER BY version",
            f"student-{student.account_id.hex}",
        )
    ]
    assert types == ["AdvisorAccessGranted", "AdvisorAccessScopeChanged", "AdvisorAccessRevoked"]
    row = await db.fetchrow("SELECT scope, revoked_at FROM advisor_grants WHERE student_id = $1", student.account_id)
    assert row is not None
    assert (row["scope"], row["revoked_at"] is not None) == ("notes", True)

    # Granting again after revoking is a new grant.
    again = await grant(client, student, email=advisor.email, scope="summary")
    assert again["scope"] == "summary"


async def test_grant_by_invite_code(client: Client, student: Student, advisor: Student, db: asyncpg.Connection) -> None:
    code = await invite_code(client, advisor)
    assert (len(code), code[4]) == (9, "-")
    typed = code.replace("-", " ").lower()  # typed from a slide, any case, with a space
    body = await grant(client, student, inviteCode=typed, scope="notes")
    assert (body["advisorId"], body["via"], body["scope"]) == (str(advisor.account_id), "invite_code", "notes")
    assert await access_of(db, as_advisor(advisor), student.account_id) == Access(student.account_id, "notes")


async def test_invite_codes_are_listed_a_page_at_a_time(client: Client, advisor: Student) -> None:
    codes = sorted([await invite_code(client, advisor) for _ in range(3)])
    first = await get_json(client, advisor, "/api/v1/advisor/invite-codes", limit=2)
    assert [c["code"] for c in first["items"]] == codes[:2]
    rest = await get_json(client, advisor, "/api/v1/advisor/invite-codes", limit=2, cursor=first["nextCursor"])
    assert [c["code"] for c in rest["items"]] == codes[2:]
    assert rest["nextCursor"] is None
    other = await sign_up_advisor(client)
    assert (await get_json(client, other, "/api/v1/advisor/invite-codes"))["items"] == []


async def test_listing_who_has_access_a_page_at_a_time(client: Client, student: Student) -> None:
    advisors = [await sign_up_advisor(client) for _ in range(3)]
    for a in advisors:
        await grant(client, student, email=a.email, scope="summary")
    first = await get_json(client, student, "/api/v1/me/advisors", limit=2)
    rest = await get_json(client, student, "/api/v1/me/advisors", limit=2, cursor=first["nextCursor"])
    assert rest["nextCursor"] is None
    listed = [g["advisorId"] for g in first["items"] + rest["items"]]
    assert listed == [str(a.account_id) for a in advisors]


async def test_who_looked_at_what_and_when(
    client: Client, student: Student, advisor: Student, db: asyncpg.Connection
) -> None:
    await grant(client, student, email=advisor.email, scope="notes")
    other = await sign_up(client)
    ana = UUID(await add_contact_id(client, student, "Ana Lee"))
    await record_reads(db, advisor.account_id, [Read(student.account_id, "stats"), Read(other.account_id, "cohort")])
    await record_reads(db, advisor.account_id, [Read(student.account_id, "profile")])
    reads = [Read(student.account_id, "history", ana), Read(student.account_id, "contacts")]
    await record_reads(db, advisor.account_id, reads)
    first = await get_json(client, student, "/api/v1/me/advisor-reads", limit=2)
    # Latest first: a look says all it read of the student, and a history names its contacts.
    assert [(r["what"], r["contacts"]) for r in first["items"]] == [
        (["contacts", "history"], [{"id": str(ana), "name": "Ana Lee"}]),
        (["profile"], []),
    ]
    assert {(r["advisorId"], r["email"], r["displayName"]) for r in first["items"]} == {
        (str(advisor.account_id), advisor.email, "Dana Advisor")
    }
    assert all(r["at"] for r in first["items"])
    rest = await get_json(client, student, "/api/v1/me/advisor-reads", limit=2, cursor=first["nextCursor"])
    assert [r["what"] for r in rest["items"]] == [["stats"]]
    assert rest["nextCursor"] is None
    # Another student's reads are theirs alone.
    assert [r["what"] for r in (await get_json(client, other, "/api/v1/me/advisor-reads"))["items"]] == [["cohort"]]


BAD_GRANTS: list[tuple[dict[str, Any], int, str | None]] = [
    ({}, 400, None),
    ({"scope": "everything", "email": "x@example.edu"}, 400, None),
    ({"scope": "notes"}, 422, "invalid-input"),
    ({"scope": "notes", "email": "a@example.edu", "inviteCode": "ABCD-EFGH"}, 422, "invalid-input"),
    ({"scope": "notes", "email": "not an email"}, 400, None),
    ({"scope": "notes", "inviteCode": "<script>"}, 400, None),
    ({"scope": "notes", "inviteCode": "x" * 21}, 400, None),
    ({"scope": "notes", "email": "nobody@example.edu"}, 422, "no-such-advisor"),
    ({"scope": "notes", "inviteCode": "ZZZZ-ZZZZ"}, 422, "no-such-advisor"),
]


@pytest.mark.parametrize(("body", "status", "slug"), BAD_GRANTS)
async def test_bad_grants_are_problems_and_append_nothing(  # noqa: PLR0917 - fixtures and parameters
    client: Client, student: Student, db: asyncpg.Connection, body: dict[str, Any], status: int, slug: str | None
) -> None:
    before = await count(db)
    response = await client.post("/api/v1/me/advisors", json=body, headers=student.headers)
    assert_problem(response, status, slug)
    assert await count(db) == before


async def test_refusals_of_the_rules_append_nothing(
    client: Client, student: Student, advisor: Student, db: asyncpg.Connection
) -> None:
    other_student = await sign_up(client)
    await grant(client, student, email=advisor.email, scope="summary")
    before = await count(db)
    h = student.headers
    nowhere = uuid4()
    assert_problem(
        await client.post("/api/v1/me/advisors", json={"email": advisor.email, "scope": "notes"}, headers=h),
        409,
        "advisor-already-granted",
    )
    # A student is not an advisor, even by email, and never your own.
    for email in (other_student.email, student.email):
        assert_problem(
            await client.post("/api/v1/me/advisors", json={"email": email, "scope": "notes"}, headers=h),
            422,
            "no-such-advisor",
        )
    assert_problem(
        await client.patch(f"/api/v1/me/advisors/{nowhere}", json={"scope": "notes"}, headers=h),
        404,
        "advisor-not-granted",
    )
    assert_problem(
        await client.patch(f"/api/v1/me/advisors/{advisor.account_id}", json={"scope": "all"}, headers=h), 400
    )
    assert_problem(await client.delete(f"/api/v1/me/advisors/{nowhere}", headers=h), 404, "advisor-not-granted")
    stale = await client.patch(
        f"/api/v1/me/advisors/{advisor.account_id}", json={"scope": "notes"}, headers={**h, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, "stale-version")
    assert_problem(await client.get("/api/v1/me/advisor-reads", params={"cursor": "%%%"}, headers=h), 400, "bad-cursor")
    assert await count(db) == before


async def test_another_student_can_neither_see_nor_change_anyones_grants(
    client: Client, student: Student, other_student: Student, advisor: Student, db: asyncpg.Connection
) -> None:
    await grant(client, student, email=advisor.email, scope="notes")
    await record_reads(db, advisor.account_id, [Read(student.account_id, "contacts")])
    other = other_student.headers
    assert (await get_json(client, other_student, "/api/v1/me/advisors"))["items"] == []
    assert (await get_json(client, other_student, "/api/v1/me/advisor-reads"))["items"] == []
    before = await count(db)
    url = f"/api/v1/me/advisors/{advisor.account_id}"
    assert_problem(await client.get(url, headers=other), 404, "advisor-not-granted")
    assert_problem(await client.patch(url, json={"scope": "summary"}, headers=other), 404, "advisor-not-granted")
    assert_problem(await client.delete(url, headers=other), 404, "advisor-not-granted")
    assert await count(db) == before
    assert await access_of(db, as_advisor(advisor), student.account_id) == Access(student.account_id, "notes")


async def test_each_role_keeps_to_its_own_routes(client: Client, student: Student, advisor: Student) -> None:
    for method, url in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/me/advisors"),
        ("GET", "/api/v1/me/advisor-reads"),
        ("GET", "/api/v1/contacts"),
        ("GET", "/api/v1/agenda"),
    ]:
        body = assert_problem(await client.request(method, url, headers=advisor.headers), 403, "students-only")
        assert "/graphql" in body["detail"]
    for method, url in [("GET", "/api/v1/advisor/invite-codes"), ("POST", "/api/v1/advisor/invite-codes")]:
        assert_problem(await client.request(method, url, headers=student.headers), 403, "advisors-only")
    # Both roles manage their own credentials.
    assert (await client.get("/api/v1/tokens", headers=advisor.headers)).status_code == 200


async def test_an_invite_code_grants_nothing_by_itself(
    client: Client, advisor: Student, db: asyncpg.Connection
) -> None:
    await invite_code(client, advisor)
    assert await db.fetchval("SELECT count(*) FROM advisor_grants") == 0
    assert isinstance(advisor.account_id, UUID)


async def test_a_rebuild_reproduces_advisor_grants(client: Client, pool: asyncpg.Pool) -> None:
    advisors = [await sign_up_advisor(client) for _ in range(2)]
    students = [await sign_up(client) for _ in range(3)]
    for i, s in enumerate(students):
        for a in advisors:
            await grant(client, s, email=a.email, scope="summary")
        url = f"/api/v1/me/advisors/{advisors[0].account_id}"
        if i >= 1:
            assert (await client.patch(url, json={"scope": "notes"}, headers=s.headers)).status_code == 200
        if i == 2:  # revoked, then granted again
            assert (await client.delete(url, headers=s.headers)).status_code == 204
            await grant(client, s, email=advisors[0].email, scope="summary")
            assert (await client.delete(url, headers=s.headers)).status_code == 204
    query = "SELECT * FROM advisor_grants ORDER BY student_id, advisor_id"
    before = [dict(r) for r in await pool.fetch(query)]
    assert len(before) == 6
    assert sum(r["revoked_at"] is not None for r in before) == 1
    store = EventStore(pool, event_registry(), inline=inline_projections())
    await rebuild(pool, store, ADVISORS, batch_size=2)
    assert [dict(r) for r in await pool.fetch(query)] == before


async def test_a_retried_grant_is_replayed_and_a_concurrent_one_refused(
    client: Client, student: Student, advisor: Student, db: asyncpg.Connection
) -> None:
    before = await count(db)
    body = {"email": advisor.email, "scope": "notes"}
    headers = {**student.headers, "Idempotency-Key": "grant-1"}
    first = await client.post("/api/v1/me/advisors", json=body, headers=headers)
    again = await client.post("/api/v1/me/advisors", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(db) == before + 1

    other_advisor = await sign_up_advisor(client)
    racing = await asyncio.gather(
        *(
            client.post(
                "/api/v1/me/advisors", json={"email": other_advisor.email, "scope": "summary"}, headers=student.headers
            )
            for _ in range(3)
        )
    )
    assert sorted(r.status_code for r in racing) == [201, 409, 409]
    assert await count(db) == before + 2
