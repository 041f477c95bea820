"""Advisors through GraphQL: the authorization matrix over every query field, the cohort's figures on a
small data set worked out by hand, recorded reads, and statements that do not grow with advisees."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from tests.api.conftest import Client, Student, sign_up, sign_up_advisor
from tests.api.helpers import add_contact_id, ago, location_id, step
from tests.graphql.support import change_scope, codes, data_of, gql, grant, revoke

pytestmark = pytest.mark.api

MARKER = "Quillon Zabriskie"
"""A name only the student's notes-level data holds."""


def of_student(selection: str) -> str:
    return f"query($id: UUID!) {{ student(id: $id) {{ {selection} }} }}"


# (field, query, who may read it): "summary" fields need any access, "notes" fields the owner or a
# `notes` grant, "advisor" fields an advisor's account, "anyone" any signed-in account.
PROBES: list[tuple[str, str, str]] = [
    ("me", "{ me { id role email } }", "anyone"),
    ("student.id", of_student("id scope"), "summary"),
    ("student.profile", of_student("profile { displayName interests }"), "summary"),
    ("student.stats", of_student("stats { requestsSent interviewsHeld }"), "summary"),
    ("student.funnel", of_student("funnel { stage contacts }"), "summary"),
    ("student.activityPerWeek", of_student("activityPerWeek { week events }"), "summary"),
    ("student.overdue", of_student("overdue { kind due contactId }"), "summary"),
    ("student.overdue.contactName", of_student("overdue { contactName }"), "notes"),
    ("student.overdue.reason", of_student("overdue { reason }"), "notes"),
    ("student.contacts", of_student("contacts { nodes { id stage careerField } }"), "summary"),
    ("student.contacts.name", of_student("contacts { nodes { name } }"), "notes"),
    ("student.contacts.organization", of_student("contacts { nodes { organization } }"), "notes"),
    ("student.contacts.nextAction", of_student("contacts { nodes { nextAction } }"), "notes"),
    ("student.contacts.history", of_student("contacts { nodes { history { nodes { summary data } } } }"), "notes"),
    ("student.referralGraph", of_student("referralGraph { depth nodes { id stage } edges { from to } }"), "summary"),
    ("student.referralGraph.name", of_student("referralGraph { nodes { name } }"), "notes"),
    ("advisees", "{ advisees { nodes { id scope } } }", "advisor"),
    ("cohort", "{ cohort { students funnel { stage contacts } } }", "advisor"),
]


async def the_students_world(client: Client, owner: Student) -> None:
    contact = await add_contact_id(client, owner, MARKER, organization="Zabriskie Labs", careerField="Law")
    await step(client, owner, contact, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=9)})
    held_at = datetime.now(UTC) - timedelta(days=5)
    scheduled = await step(
        client, owner, contact, "interviews", {"startsAt": held_at.isoformat(), "minutes": 20, "format": "video"}
    )
    interview = {"interviewId": location_id(scheduled), "heldAt": held_at.isoformat(), "notes": MARKER}
    await step(client, owner, contact, "held", interview)
    await step(client, owner, contact, "referrals", {"name": f"{MARKER} Junior"})


def outcome(body: dict[str, Any]) -> str:
    """What a query got: `ok`, or its first error's code."""
    found = codes(body)
    return found[0] if found else "ok"


async def test_the_authorization_matrix_over_every_query_field(client: Client) -> None:
    owner, other = await sign_up(client), await sign_up(client)
    await the_students_world(client, owner)
    stranger, summary, notes, revoked = [
        await sign_up_advisor(client, display_name=n) for n in ("No Grant", "Summary", "Notes", "Revoked")
    ]
    await grant(client, owner, summary, "summary")
    await grant(client, owner, notes, "notes")
    await grant(client, owner, revoked, "notes")
    await revoke(client, owner, revoked)
    who = {"the student": owner, "another student": other, "advisor without grant": stranger}
    who |= {"summary": summary, "notes": notes, "after revocation": revoked}
    reach = {
        "the student": {"anyone", "summary", "notes"},
        "another student": {"anyone"},
        "advisor without grant": {"anyone", "advisor"},
        "summary": {"anyone", "advisor", "summary"},
        "notes": {"anyone", "advisor", "summary", "notes"},
        "after revocation": {"anyone", "advisor"},
    }
    variables = {"id": str(owner.account_id)}
    for field, query, needs in PROBES:
        anonymous = await gql(client, None, query, variables)
        assert anonymous.status_code == 401, field
        for name, principal in who.items():
            body = (await gql(client, principal, query, variables)).json()
            got = outcome(body)
            if needs in reach[name]:
                assert got == "ok", (field, name, body)
            elif needs == "advisor":
                assert got == "FORBIDDEN", (field, name, body)
            elif needs == "notes" and name == "summary":
                assert got == "FORBIDDEN_SCOPE", (field, name, body)
            else:
                assert got == "NOT_FOUND", (field, name, body)
                assert body["data"] == {"student": None}, (field, name)
            if "notes" not in reach[name]:
                assert MARKER not in str(body), (field, name)
            if field == "advisees" and name in {"advisor without grant", "after revocation"}:
                assert body["data"]["advisees"]["nodes"] == [], name
            if field == "cohort" and name in {"advisor without grant", "after revocation"}:
                assert body["data"]["cohort"]["students"] == 0, name


async def test_a_summary_grant_gets_typed_errors_for_notes_fields_and_the_rest_of_the_data(client: Client) -> None:
    owner = await sign_up(client)
    await the_students_world(client, owner)
    looker = await sign_up_advisor(client)
    await grant(client, owner, looker, "summary")
    query = (
        "query($id: UUID!) { student(id: $id) { scope contacts { nodes { stage name history { nodes { type } } } } } }"
    )
    body = (await gql(client, looker, query, {"id": str(owner.account_id)})).json()
    nodes = body["data"]["student"]["contacts"]["nodes"]
    assert body["data"]["student"]["scope"] == "summary"
    assert sorted(n["stage"] for n in nodes) == ["identified", "interviewed"]
    assert all(n["name"] is None and n["history"] is None for n in nodes)
    errors = body["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN_SCOPE"}
    assert {e["path"][-1] for e in errors} == {"name", "history"}
    assert all(e["extensions"]["needs"] == "notes" for e in errors)
    # A grant widened to notes takes effect on the next request.
    await change_scope(client, owner, looker, "notes")
    body = (await gql(client, looker, query, {"id": str(owner.account_id)})).json()
    assert "errors" not in body, body
    assert MARKER in {n["name"] for n in body["data"]["student"]["contacts"]["nodes"]}


async def test_every_advisor_read_is_recorded_and_a_students_own_are_not(
    client: Client, db: asyncpg.Connection
) -> None:
    owner = await sign_up(client)
    looker = await sign_up_advisor(client)
    await grant(client, owner, looker, "notes")
    query = "query($id: UUID!) { student(id: $id) { stats { requestsSent } contacts { nodes { id } } } }"
    await data_of(client, looker, query, {"id": str(owner.account_id)})
    await data_of(client, looker, "{ cohort { students } }")
    await data_of(client, owner, query, {"id": str(owner.account_id)})
    rows = await db.fetch("SELECT advisor_id, student_id, what FROM advisor_reads ORDER BY id")
    assert {(r["advisor_id"], r["student_id"]) for r in rows} == {(looker.account_id, owner.account_id)}
    assert sorted(r["what"] for r in rows) == ["cohort", "contacts", "stats"]


async def test_advisees_page_with_cursors(client: Client) -> None:
    looker = await sign_up_advisor(client)
    students = [await sign_up(client) for _ in range(3)]
    for s in students:
        await grant(client, s, looker, "summary")
    query = """query($after: String) {
        advisees(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }"""
    first = (await data_of(client, looker, query))["advisees"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await data_of(client, looker, query, {"after": first["pageInfo"]["endCursor"]}))["advisees"]
    assert rest["pageInfo"]["hasNextPage"] is False
    seen = [n["id"] for n in first["nodes"] + rest["nodes"]]
    assert seen == sorted(str(s.account_id) for s in students)


async def test_cohort_figures_match_the_ones_worked_out_by_hand(client: Client, db: asyncpg.Connection) -> None:
    looker = await sign_up_advisor(client)
    busy, idle, late, outsider = [await sign_up(client) for _ in range(4)]
    now = datetime.now(UTC)

    async def meet(who: Student, contact: str, days_ago: int) -> str:
        held_at = now - timedelta(days=days_ago)
        scheduled = await step(
            client, who, contact, "interviews", {"startsAt": held_at.isoformat(), "minutes": 20, "format": "video"}
        )
        interview = location_id(scheduled)
        await step(client, who, contact, "held", {"interviewId": interview, "heldAt": held_at.isoformat()})
        return interview

    # busy: met Ana 10 days ago, thanked a day later (on time, 1 day); Ana referred two people.
    ana = await add_contact_id(client, busy, "Ana")
    await step(client, busy, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=20)})
    await meet(busy, ana, 10)
    await step(client, busy, ana, "thanks", {"helpfulThing": "tips", "sentAt": ago(days=9)})
    await step(client, busy, ana, "referrals", {"name": "Rita"})
    await step(client, busy, ana, "referrals", {"name": "Raj"})
    # late: met Ben 12 days ago, thanked 3 days ago (9 days: late).
    ben = await add_contact_id(client, late, "Ben")
    await meet(late, ben, 12)
    await step(client, late, ben, "thanks", {"helpfulThing": "a book", "sentAt": ago(days=3)})
    # idle: nothing recorded. outsider: no grant, so not in the cohort whatever they do.
    await add_contact_id(client, outsider, "Cy")
    # Every contact is active on the day it is added; say late's last step was five days ago (in the
    # contacts and in the summary the projection derived from them).
    for table in ("contacts", "student_summaries"):
        await db.execute(
            f"UPDATE {table} SET last_activity_at = now() - interval '5 days' WHERE student_id = $1",
            late.account_id,
        )
    for s, scope in ((busy, "notes"), (idle, "summary"), (late, "summary")):
        await grant(client, s, looker, scope)
    # Weekly activity, set by hand in place of what the steps above (and signing up) recorded, as
    # {weeks ago: steps} in everyone's calendar (all in New York): this week is 0, the oldest shown 11;
    # 12 is too old to show, idle has none, and the outsider's never count.
    monday = datetime.now(ZoneInfo("America/New_York")).date()
    monday -= timedelta(days=monday.weekday())
    activity = [(busy, {0: 3, 2: 1, 11: 2, 12: 50}), (late, {0: 4, 5: 7}), (idle, {}), (outsider, {0: 100, 2: 100})]
    await db.execute(
        "DELETE FROM student_activity WHERE student_id = ANY ($1::uuid[])", [s.account_id for s, _ in activity]
    )
    await db.executemany(
        "INSERT INTO student_activity (student_id, week, events) VALUES ($1, $2, $3)",
        [(s.account_id, monday - timedelta(weeks=n), e) for s, weeks in activity for n, e in weeks.items()],
    )

    query = """{ cohort(inactiveDays: 2) {
        students funnel { stage contacts } thankYouOnTimeRate medianDaysToThanks referralsPerStudent
        referrals { student { id } referrals }
        activityPerWeek { week events }
        needsAttention { student { id } daysInactive reason }
    } }"""
    cohort = (await data_of(client, looker, query))["cohort"]
    assert cohort["students"] == 3
    funnel = {f["stage"]: f["contacts"] for f in cohort["funnel"]}
    assert funnel["thanked"] == 2  # Ana, Ben
    assert funnel["identified"] == 2  # Rita, Raj
    assert sum(funnel.values()) == 4
    assert cohort["thankYouOnTimeRate"] == 0.5  # Ana's on time, Ben's late
    assert cohort["medianDaysToThanks"] == 5.0  # median of 1 and 9 days
    assert cohort["referralsPerStudent"] == pytest.approx(2 / 3)
    assert {r["student"]["id"]: r["referrals"] for r in cohort["referrals"]} == {
        str(busy.account_id): 2,
        str(idle.account_id): 0,
        str(late.account_id): 0,
    }
    # busy was last active today; late five days ago; idle never.
    attention = [(a["student"]["id"], a["daysInactive"]) for a in cohort["needsAttention"]]
    assert attention == [(str(idle.account_id), None), (str(late.account_id), 5)]
    assert cohort["needsAttention"][0]["reason"] == "Has not recorded anyone yet."
    assert cohort["needsAttention"][1]["reason"] == "No activity for 5 days (the limit asked for: 2)."
    # busy's and late's weeks added up by hand (idle has none), oldest first, this week last.
    by_hand = {0: 3 + 4, 2: 1, 5: 7, 11: 2}
    assert cohort["activityPerWeek"] == [
        {"week": (monday - timedelta(weeks=n)).isoformat(), "events": by_hand.get(n, 0)} for n in range(11, -1, -1)
    ]


DASHBOARD = """
{
  advisees(first: 50) { nodes {
    id scope
    profile { displayName }
    stats { requestsSent thankYouOnTimeRate }
    lately: stats(from: "2020-01-01") { requestsSent referralsReceived }
    funnel { stage contacts }
    activityPerWeek { events }
    overdue { kind due }
    referralGraph { depth nodes { stage } }
    contacts(first: 5) { nodes { stage referredBy { stage } } }
  } }
  cohort {
    students thankYouOnTimeRate medianDaysToThanks needsAttention { student { id } reason }
    activityPerWeek { week events }
  }
}
"""


async def test_statements_do_not_grow_with_advisees(client: Client, statements: list[str]) -> None:
    few, many = await sign_up_advisor(client), await sign_up_advisor(client)
    for looker, size in ((few, 2), (many, 10)):
        for _ in range(size):
            s = await sign_up(client)
            ana = await add_contact_id(client, s, "Ana")
            await step(client, s, ana, "referrals", {"name": "Rita"})  # Rita's referredBy is Ana
            await grant(client, s, looker, "summary")
    counts = {}
    for looker, size in ((few, 2), (many, 10)):
        statements.clear()
        data = await data_of(client, looker, DASHBOARD)
        assert len(data["advisees"]["nodes"]) == size
        assert data["cohort"]["students"] == size
        assert all(len(n["contacts"]["nodes"]) == 2 for n in data["advisees"]["nodes"])
        assert all(n["lately"]["referralsReceived"] == 1 for n in data["advisees"]["nodes"])
        counts[size] = len(statements)
    assert counts[2] == counts[10], counts


async def test_access_checks_do_not_grow_with_the_students_asked_about(client: Client, statements: list[str]) -> None:
    looker = await sign_up_advisor(client)
    students = [await sign_up(client) for _ in range(6)]
    for s in students[:4]:
        await grant(client, s, looker, "summary")
    counts, seen = {}, {}
    for size in (2, 6):
        asked = students[:size]
        query = (
            "{ " + " ".join(f's{n}: student(id: "{s.account_id}") {{ id scope }}' for n, s in enumerate(asked)) + " }"
        )
        statements.clear()
        response = await gql(client, looker, query)
        data = response.json()["data"]
        # The last two were never granted: null, as for a student who does not exist.
        assert [data[f"s{n}"] and data[f"s{n}"]["scope"] for n in range(size)] == ["summary"] * min(size, 4) + [
            None
        ] * (size - 4 if size > 4 else 0)
        ours = [q for q in statements if "access_tokens" not in q]  # a token's last use is noted now and then
        counts[size] = len(ours)
        seen[size] = [" ".join(q.split())[:60] for q in ours]
    assert counts[2] == counts[6], (counts, seen)
