"""Advisors through GraphQL: the authorization matrix over every query field, the cohort's figures on a
small data set worked out by hand, recorded reads, and statements that do not grow with advisees."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from graphql import (
    FieldNode,
    GraphQLNamedType,
    GraphQLObjectType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)

from backend.web.graphql.schema import schema
from tests.api.conftest import Client, Student, sign_up, sign_up_advisor
from tests.api.helpers import add_contact_id, ago, location_id, step
from tests.graphql.support import change_scope, codes, data_of, gql, grant, revoke

pytestmark = pytest.mark.api

MARKER = "Quillon Zabriskie"
"""A name only the student's notes-level data holds (a contact's name, notes and interests)."""
SECRET = "Zabriskie"
"""In every notes-level value of the student's world (MARKER, the organization, the interests)."""
NAMED = re.compile(r"\b(name|contactName|reason|interests|organization)\b")
"""A probe that asks for one of these shows SECRET to whoever may read it."""


def of_student(selection: str) -> str:
    return f"query($id: UUID!) {{ student(id: $id) {{ {selection} }} }}"


_CONTACT = """id stage careerField referrer lastActivityAt nextDue archived erased name title organization tags
    nextAction referredBy { id name }"""
_HISTORY = """history(first: 5) { pageInfo { hasNextPage endCursor } edges { cursor node { version } }
    nodes { version type recordedAt actor { id label } summary data redacted } }"""
_STATS = """date requestsSent replies replyRate interviewsHeld thankYouOnTimeRate medianDaysToThanks
    referralsReceived networkDepth referrers contactsPerField { careerField contacts } daysSinceLastActivity"""

# (field, query, who may read it): "summary" fields need any access, "notes" fields the owner or a
# `notes` grant, "advisor" fields an advisor's account, "advisor notes" an advisor's account and, for
# what they show of a student, a `notes` grant; "anyone" any signed-in account. Together the probes ask
# for every field of the schema (test_the_probes_ask_for_every_field_of_the_schema).
PROBES: list[tuple[str, str, str]] = [
    ("me", "{ me { id role email } }", "anyone"),
    ("me.student", "{ me { student { id scope } } }", "anyone"),
    ("student.id", of_student("id scope"), "summary"),
    (
        "student.profile",
        of_student(
            "profile { displayName school timeZone country goals { interviewsPerMonth requestsPerWeek } registeredAt }"
        ),
        "summary",
    ),
    ("student.profile.interests", of_student("profile { interests }"), "notes"),
    ("student.stats", of_student(f"stats {{ {_STATS} }}"), "summary"),
    ("student.stats(from, to)", of_student('stats(from: "2020-01-01", to: "2099-12-31") { requestsSent }'), "summary"),
    ("student.funnel", of_student("funnel { stage contacts }"), "summary"),
    ("student.activityPerWeek", of_student("activityPerWeek { week events }"), "summary"),
    ("student.overdue", of_student("overdue { kind due lateAfter contactId }"), "summary"),
    ("student.overdue.contactName", of_student("overdue { contactName }"), "notes"),
    ("student.overdue.reason", of_student("overdue { reason }"), "notes"),
    ("student.contacts", of_student("contacts { nodes { id stage } }"), "notes"),
    (
        "student.contacts (every field)",
        of_student(
            f"contacts(first: 5) {{ pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ id }} }}"
            f" nodes {{ {_CONTACT} }} }}"
        ),
        "notes",
    ),
    ("student.contacts.history", of_student(f"contacts {{ nodes {{ {_HISTORY} }} }}"), "notes"),
    (
        "student.referralGraph",
        of_student("referralGraph { depth nodes { id stage careerField depth erased } edges { from to } }"),
        "summary",
    ),
    ("student.referralGraph.name", of_student("referralGraph { nodes { name } }"), "notes"),
    ("student.referralGraph.organization", of_student("referralGraph { nodes { organization } }"), "notes"),
    (
        "advisees",
        "{ advisees { pageInfo { hasNextPage endCursor } edges { cursor node { id } } nodes { id scope } } }",
        "advisor",
    ),
    (
        "cohort",
        """{ cohort(inactiveDays: 30) { students funnel { stage contacts } thankYouOnTimeRate medianDaysToThanks
            referralsPerStudent referrals { referrals student { id } } activityPerWeek { week events } } }""",
        "advisor",
    ),
    (
        "cohort.needsAttention",
        """{ cohort { needsAttentionCount needsAttention(first: 5) { pageInfo { hasNextPage endCursor }
            edges { cursor node { student { id } } }
            nodes { daysInactive thanksMissed reasons student { id profile { displayName } } } } } }""",
        "advisor",
    ),
    # Through the cohort, each advisee's data is within that advisee's grant, as through student(id). (A
    # cohort's lists count as MAX_COHORT items, so little more fits under the cost limit.)
    (
        "cohort.student.contacts",
        "{ cohort { referrals { student { contacts(first: 1) { nodes { name } } } } } }",
        "advisor notes",
    ),
]


class _Fields(Visitor):
    """Adds each (parent type, field) a query asks for to `asked`."""

    def __init__(self, info: TypeInfo, asked: set[tuple[str, str]]) -> None:
        super().__init__()
        self.info, self.asked = info, asked

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.info.get_parent_type()
        if parent is not None:
            self.asked.add((parent.name, node.name.value))


def test_the_probes_ask_for_every_field_of_the_schema() -> None:
    """A field added to the schema without a probe in the matrix fails here."""
    graphql_schema = schema._schema
    wanted: set[tuple[str, str]] = set()
    todo: list[GraphQLNamedType] = [graphql_schema.query_type] if graphql_schema.query_type else []
    while todo:
        kind = todo.pop()
        if not isinstance(kind, GraphQLObjectType):
            continue
        for name, field in kind.fields.items():
            if (kind.name, name) not in wanted:
                wanted.add((kind.name, name))
                todo.append(get_named_type(field.type))
    asked: set[tuple[str, str]] = set()
    for _, query, _ in PROBES:
        info = TypeInfo(graphql_schema)
        visit(parse(query), TypeInfoVisitor(info, _Fields(info, asked)))
    assert wanted - asked == set()


async def the_students_world(client: Client, owner: Student) -> None:
    profile = await client.put(
        "/api/v1/me/interests", json={"interests": [f"what {MARKER} does"]}, headers=owner.headers
    )
    assert profile.status_code == 200, profile.text
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
            if needs == "advisor notes":
                wants = (
                    "FORBIDDEN" if "advisor" not in reach[name] else "FORBIDDEN_SCOPE" if name == "summary" else "ok"
                )
                assert got == wants, (field, name, body)
            elif needs in reach[name]:
                assert got == "ok", (field, name, body)
            elif needs == "advisor":
                assert got == "FORBIDDEN", (field, name, body)
            elif needs == "notes" and name == "summary":
                assert got == "FORBIDDEN_SCOPE", (field, name, body)
            else:
                assert got == "NOT_FOUND", (field, name, body)
                assert body["data"] == {"student": None}, (field, name)
            if got == "ok" and "notes" in reach[name] and NAMED.search(query):
                assert SECRET in str(body), (field, name, body)  # the data is there, not only "ok"
            if "notes" not in reach[name]:
                assert SECRET not in str(body), (field, name)
            if field in {"advisees", "cohort"} and name in {"advisor without grant", "after revocation"}:
                found = body["data"][field]
                assert (found["nodes"] if field == "advisees" else found["referrals"]) == [], (field, name)


async def test_a_summary_grant_gets_typed_errors_for_notes_fields_and_the_rest_of_the_data(client: Client) -> None:
    owner = await sign_up(client)
    await the_students_world(client, owner)
    looker = await sign_up_advisor(client)
    await grant(client, owner, looker, "summary")
    query = """query($id: UUID!) { student(id: $id) {
        scope profile { displayName interests } overdue { kind contactName } referralGraph { nodes { stage name } }
        contacts { nodes { name history { nodes { type } } } } } }"""
    body = (await gql(client, looker, query, {"id": str(owner.account_id)})).json()
    found = body["data"]["student"]
    assert found["scope"] == "summary"
    assert found["profile"] == {"displayName": "Sam Student", "interests": None}
    assert [o["kind"] for o in found["overdue"]] == ["send_thanks"]
    assert all(o["contactName"] is None for o in found["overdue"])
    assert sorted(n["stage"] for n in found["referralGraph"]["nodes"]) == ["identified", "interviewed"]
    assert all(n["name"] is None for n in found["referralGraph"]["nodes"])
    assert found["contacts"] is None  # contacts and their history: `notes` only
    errors = body["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN_SCOPE"}
    assert all(e["extensions"]["needs"] == "notes" for e in errors)
    assert {e["path"][-1] for e in errors} == {"interests", "contactName", "name", "contacts"}
    assert SECRET not in str(body)
    # A grant widened to notes takes effect on the next request.
    await change_scope(client, owner, looker, "notes")
    body = (await gql(client, looker, query, {"id": str(owner.account_id)})).json()
    assert "errors" not in body, body
    assert MARKER in {n["name"] for n in body["data"]["student"]["contacts"]["nodes"]}


# What of the student each selection reads, as the audit of reads records it: one row per request,
# its kinds in order, and for histories whose.
READS: list[tuple[str, list[str]]] = [
    ("id scope", []),
    ("profile { displayName }", ["profile"]),
    ("stats { requestsSent }", ["stats"]),
    ('stats(from: "2020-01-01") { requestsSent }', ["stats"]),
    ("funnel { stage }", ["stats"]),
    ("activityPerWeek { week }", ["stats"]),
    ("overdue { kind }", ["agenda"]),
    ("contacts { nodes { id } }", ["contacts"]),
    (
        "contacts { nodes { history(first: 1) { nodes { type } } } }",
        ["contacts", f"history of {MARKER}", f"history of {MARKER} Junior"],
    ),
    ("referralGraph { depth }", ["referral_graph"]),
    ("profile { displayName } stats { replies } overdue { due }", ["agenda", "profile", "stats"]),
]


async def test_every_advisor_read_is_recorded_field_by_field_even_when_resent_and_a_students_own_are_not(
    client: Client, db: asyncpg.Connection
) -> None:
    owner = await sign_up(client)
    await the_students_world(client, owner)
    looker = await sign_up_advisor(client)
    await grant(client, owner, looker, "notes")
    variables = {"id": str(owner.account_id)}

    async def recorded_by(who: Student, query: str, sends: int = 1) -> list[list[str]]:
        """Each new row of the audit: what it says was read."""
        last = await db.fetchval("SELECT coalesce(max(id), 0) FROM advisor_reads")
        for _ in range(sends):
            await data_of(client, who, query, variables)
        rows = await db.fetch(
            "SELECT r.advisor_id, r.student_id, r.what, (SELECT array_agg(c.name ORDER BY c.name) FROM contacts c"
            " WHERE c.contact_id = ANY (r.contact_ids)) AS names FROM advisor_reads r WHERE r.id > $1 ORDER BY r.id",
            last,
        )
        assert all((r["advisor_id"], r["student_id"]) == (looker.account_id, owner.account_id) for r in rows)
        return [
            sorted([w for w in r["what"] if w != "history"] + [f"history of {n}" for n in r["names"] or []])
            for r in rows
        ]

    for selection, kinds in READS:
        query = of_student(selection)
        once = [sorted(kinds)] if kinds else []
        assert await recorded_by(looker, query) == once, selection
        # A second send (of a kept answer, unless it shows a history) records the reads again.
        assert await recorded_by(looker, query, sends=2) == once * 2, selection
        assert await recorded_by(owner, query) == [], selection
    assert await recorded_by(looker, "{ cohort { students } }", sends=2) == [["cohort"], ["cohort"]]


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
    # An empty cursor is not "no cursor": it is refused, as any cursor the server could not have made.
    empty = (await gql(client, looker, query, {"after": ""})).json()
    assert codes(empty) == ["BAD_INPUT"], empty


async def test_cohort_figures_match_the_ones_worked_out_by_hand(client: Client, db: asyncpg.Connection) -> None:
    looker = await sign_up_advisor(client)
    busy, idle, late, forgetful, outsider = [await sign_up(client) for _ in range(5)]
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
    # forgetful: met Dee 6 days ago and Eve 40 days ago, thanked neither: both windows have closed (both
    # count as due, neither on time), but only Dee's in the last 30 days (a thank-you note missed).
    await meet(forgetful, await add_contact_id(client, forgetful, "Dee"), 6)
    await meet(forgetful, await add_contact_id(client, forgetful, "Eve"), 40)
    # idle: nothing recorded. outsider: no grant, so not in the cohort whatever they do.
    await add_contact_id(client, outsider, "Cy")
    # Every contact is active on the day it is added; say late's last step was five days ago (in the
    # contacts and in the summary the projection derived from them).
    for table in ("contacts", "student_summaries"):
        await db.execute(
            f"UPDATE {table} SET last_activity_at = now() - interval '5 days' WHERE student_id = $1",
            late.account_id,
        )
    for s, scope in ((busy, "notes"), (idle, "summary"), (late, "summary"), (forgetful, "summary")):
        await grant(client, s, looker, scope)
    # Weekly activity, set by hand in place of what the steps above (and signing up) recorded, as
    # {weeks ago: steps} in everyone's calendar (all in New York): this week is 0, the oldest shown 11;
    # 12 is too old to show, idle has none, and the outsider's never count.
    monday = datetime.now(ZoneInfo("America/New_York")).date()
    monday -= timedelta(days=monday.weekday())
    activity = [
        (busy, {0: 3, 2: 1, 11: 2, 12: 50}),
        (late, {0: 4, 5: 7}),
        (idle, {}),
        (forgetful, {}),
        (outsider, {0: 100, 2: 100}),
    ]
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
        needsAttentionCount needsAttention { nodes { student { id } daysInactive thanksMissed reasons } }
    } }"""
    cohort = (await data_of(client, looker, query))["cohort"]
    assert cohort["students"] == 4
    funnel = {f["stage"]: f["contacts"] for f in cohort["funnel"]}
    assert funnel["thanked"] == 2  # Ana, Ben
    assert funnel["identified"] == 2  # Rita, Raj
    assert funnel["interviewed"] == 2  # Dee, Eve
    assert sum(funnel.values()) == 6
    assert cohort["thankYouOnTimeRate"] == 0.25  # Ana's on time; Ben's late; Dee's and Eve's never sent
    assert cohort["medianDaysToThanks"] == 5.0  # median of 1 and 9 days
    assert cohort["referralsPerStudent"] == 0.5  # 2 referrals, 4 students
    assert {r["student"]["id"]: r["referrals"] for r in cohort["referrals"]} == {
        str(busy.account_id): 2,
        str(idle.account_id): 0,
        str(late.account_id): 0,
        str(forgetful.account_id): 0,
    }
    # busy and forgetful were last active today; late five days ago; idle never. Inactive first (never,
    # then the longest), then forgetful for the thank-you note missed in the last 30 days (Dee's).
    needing = cohort["needsAttention"]["nodes"]
    assert cohort["needsAttentionCount"] == len(needing) == 3
    attention = [(a["student"]["id"], a["daysInactive"], a["thanksMissed"]) for a in needing]
    assert attention == [
        (str(idle.account_id), None, 0),
        (str(late.account_id), 5, 0),
        (str(forgetful.account_id), 0, 1),
    ]
    assert [a["reasons"] for a in needing] == [
        ["Has not recorded anyone yet."],
        ["No activity for 5 days (the limit asked for: 2)."],
        ["Did not send a thank-you note within 2 business days of the interview."],
    ]
    # The same list a page at a time.
    paged: list[str] = []
    after = None
    while True:
        page = await data_of(
            client,
            looker,
            """query($after: String) { cohort(inactiveDays: 2) { needsAttention(first: 2, after: $after) {
                pageInfo { hasNextPage endCursor } nodes { student { id } } } } }""",
            {"after": after},
        )
        found = page["cohort"]["needsAttention"]
        paged += [a["student"]["id"] for a in found["nodes"]]
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert paged == [a[0] for a in attention]
    # busy's and late's weeks added up by hand (idle has none), oldest first, this week last.
    by_hand = {0: 3 + 4, 2: 1, 5: 7, 11: 2}
    assert cohort["activityPerWeek"] == [
        {"week": (monday - timedelta(weeks=n)).isoformat(), "events": by_hand.get(n, 0)} for n in range(11, -1, -1)
    ]


DASHBOARD = """
{
  advisees(first: 10) { nodes {
    id scope
    profile { displayName }
    stats { requestsSent thankYouOnTimeRate }
    lately: stats(from: "2020-01-01") { requestsSent referralsReceived }
    funnel { stage contacts }
    activityPerWeek { events }
    overdue { kind due }
    referralGraph { depth }
    contacts(first: 5) { nodes { stage referredBy { stage } } }
  } }
  cohort {
    students thankYouOnTimeRate medianDaysToThanks needsAttention { nodes { student { id } reasons } }
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
            await grant(client, s, looker, "notes")
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
