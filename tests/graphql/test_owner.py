"""A student reads their own data through GraphQL, with known answers on a network made through REST;
nobody else reads it; anonymous requests never reach the schema."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import Client, Student
from tests.api.helpers import add_contact_id, ago, location_id, step
from tests.graphql.support import GRAPHQL, codes, data_of, gql

pytestmark = pytest.mark.api

DASHBOARD = """
query Dashboard($id: UUID!) {
  student(id: $id) {
    id scope
    profile { displayName timeZone interests goals { interviewsPerMonth } }
    stats { requestsSent replies replyRate interviewsHeld referralsReceived networkDepth referrers }
    funnel { stage contacts }
    activityPerWeek { week events }
    overdue { kind contactName reason }
    referralGraph { depth nodes { name depth } edges { from to } }
    contacts(first: 10) {
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node { name stage organization referredBy { name } history(first: 50) { nodes { type actor { label } } } }
      }
    }
  }
}
"""


async def small_network(client: Client, student: Student) -> dict[str, str]:
    """Ana: asked 10 days ago, met 5 days ago (no thanks: overdue), referred Rita. Ben: only added."""
    ana = await add_contact_id(client, student, "Ana Lee", organization="Acme", careerField="Data Science")
    await step(client, student, ana, "requests", {"channel": "email", "format": "video", "sentAt": ago(days=10)})
    held_at = datetime.now(UTC) - timedelta(days=5)
    scheduled = await step(
        client, student, ana, "interviews", {"startsAt": held_at.isoformat(), "minutes": 20, "format": "video"}
    )
    await step(client, student, ana, "held", {"interviewId": location_id(scheduled), "heldAt": held_at.isoformat()})
    rita = location_id(await step(client, student, ana, "referrals", {"name": "Rita Moss"}))
    ben = await add_contact_id(client, student, "Ben Ode")
    return {"ana": ana, "rita": rita, "ben": ben}


async def test_a_student_reads_their_own_dashboard(client: Client, student: Student) -> None:
    ids = await small_network(client, student)
    data = (await data_of(client, student, DASHBOARD, {"id": str(student.account_id)}))["student"]
    assert data["id"] == str(student.account_id)
    assert data["scope"] == "owner"
    assert data["profile"]["displayName"] == "Sam Student"
    assert data["profile"]["timeZone"] == "America/New_York"
    stats = data["stats"]
    assert stats["requestsSent"] == 1
    assert stats["interviewsHeld"] == 1
    assert stats["referralsReceived"] == 1
    assert stats["networkDepth"] == 1
    assert stats["referrers"] == 1
    funnel = {f["stage"]: f["contacts"] for f in data["funnel"]}
    assert funnel["interviewed"] == 1  # Ana
    assert funnel["identified"] == 2  # Rita and Ben
    assert sum(funnel.values()) == 3
    assert len(data["activityPerWeek"]) == 12
    assert sum(w["events"] for w in data["activityPerWeek"]) >= 0
    overdue = data["overdue"]
    assert {"send_thanks"} <= {o["kind"] for o in overdue}
    assert all(o["contactName"] == "Ana Lee" for o in overdue if o["kind"] == "send_thanks")
    graph = data["referralGraph"]
    assert graph["depth"] == 1
    assert sorted(n["name"] for n in graph["nodes"]) == ["Ana Lee", "Rita Moss"]
    assert graph["edges"] == [{"from": ids["ana"], "to": ids["rita"]}]
    contacts = data["contacts"]
    assert contacts["pageInfo"]["hasNextPage"] is False
    by_name = {e["node"]["name"]: e["node"] for e in contacts["edges"]}
    assert set(by_name) == {"Ana Lee", "Rita Moss", "Ben Ode"}
    assert by_name["Rita Moss"]["referredBy"] == {"name": "Ana Lee"}
    assert by_name["Ben Ode"]["referredBy"] is None
    ana = by_name["Ana Lee"]
    assert ana["organization"] == "Acme"
    assert [h["type"] for h in ana["history"]["nodes"]] == [
        "ContactAdded",
        "InterviewRequested",
        "InterviewScheduled",
        "InterviewHeld",
        "ReferralReceived",
    ]
    assert {h["actor"]["label"] for h in ana["history"]["nodes"]} == {"you"}


async def test_me_is_the_signed_in_student_and_reaches_the_same_data(client: Client, student: Student) -> None:
    await small_network(client, student)
    data = await data_of(client, student, "{ me { id email role student { id stats { requestsSent } } } }")
    assert data["me"] == {
        "id": str(student.account_id),
        "email": student.email,
        "role": "student",
        "student": {"id": str(student.account_id), "stats": {"requestsSent": 1}},
    }


async def test_contacts_and_history_page_with_cursors(client: Client, student: Student) -> None:
    for n in range(3):
        await add_contact_id(client, student, f"Person {n}")
    query = """query($after: String) { me { student { contacts(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { name history(first: 1) { pageInfo { hasNextPage } } } } } } }"""
    first = (await data_of(client, student, query))["me"]["student"]["contacts"]
    assert [c["name"] for c in first["nodes"]] == ["Person 2", "Person 1"]  # most recently active first
    assert first["pageInfo"]["hasNextPage"] is True
    assert all(c["history"]["pageInfo"]["hasNextPage"] is False for c in first["nodes"])
    second = await data_of(client, student, query, {"after": first["pageInfo"]["endCursor"]})
    rest = second["me"]["student"]["contacts"]
    assert [c["name"] for c in rest["nodes"]] == ["Person 0"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_bad_input_is_a_typed_error(client: Client, student: Student) -> None:
    body = (
        await gql(client, student, '{ me { student { contacts(after: "not a cursor") { nodes { id } } } } }')
    ).json()
    assert codes(body) == ["BAD_INPUT"]
    body = (await gql(client, student, "{ me { student { contacts(first: 51) { nodes { id } } } } }")).json()
    assert codes(body) == ["BAD_INPUT"]
    assert "between 1 and 50" in body["errors"][0]["message"]


async def test_another_student_gets_nothing_and_cannot_tell_it_exists(
    client: Client, student: Student, other_student: Student
) -> None:
    await small_network(client, student)
    query = "query($id: UUID!) { student(id: $id) { id stats { requestsSent } contacts { nodes { name } } } }"
    theirs = (await gql(client, other_student, query, {"id": str(student.account_id)})).json()
    nobody = (await gql(client, other_student, query, {"id": "00000000-0000-4000-8000-000000000001"})).json()
    assert theirs["data"] == {"student": None}
    assert codes(theirs) == ["NOT_FOUND"]
    assert theirs["errors"][0]["message"] == nobody["errors"][0]["message"]
    assert "Ana Lee" not in str(theirs)
    # Their own `me` shows their own (empty) network only.
    mine = await data_of(client, other_student, "{ me { student { contacts { nodes { name } } } } }")
    assert mine["me"]["student"]["contacts"]["nodes"] == []


async def test_a_student_has_no_advisees(client: Client, student: Student) -> None:
    body = (await gql(client, student, "{ advisees { nodes { id } } }")).json()
    assert codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_anonymous_requests_never_reach_the_schema(client: Client, method: str) -> None:
    """Introspection and GraphiQL included: the same middleware as REST answers 401 first."""
    query = {"query": "{ __schema { types { name } } }"}
    if method == "GET":
        response = await client.get(GRAPHQL, params=query)
    else:
        response = await client.post(GRAPHQL, json=query)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/unauthenticated")
    page = await client.get(GRAPHQL, headers={"Accept": "text/html"})
    assert page.status_code == 401


async def test_signed_in_users_get_graphiql_and_introspection(client: Client, student: Student) -> None:
    page = await client.get(GRAPHQL, headers={"Accept": "text/html", **student.headers})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert 'defaultHeaders["X-CSRF-Token"]' in page.text
    types = await data_of(client, student, "{ __schema { queryType { name } } }")
    assert types == {"__schema": {"queryType": {"name": "Query"}}}


async def test_graphiql_with_a_session_posts_with_its_csrf_token(client: Client, student: Student) -> None:
    signed_in = await client.post("/api/v1/auth/sign-in", json={"email": student.email, "password": student.password})
    assert signed_in.status_code == 200, signed_in.text
    csrf = signed_in.json()["csrfToken"]
    page = await client.get(GRAPHQL, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f'"{csrf}"' in page.text
    body: dict[str, Any] = {"query": "{ me { role } }"}
    refused = await client.post(GRAPHQL, json=body)
    assert refused.status_code == 403  # a cookie without the session's CSRF token, as in REST
    answered = await client.post(GRAPHQL, json=body, headers={"X-CSRF-Token": csrf})
    assert answered.json() == {"data": {"me": {"role": "student"}}}


async def test_queries_run_over_post_only_and_one_at_a_time(client: Client, student: Student) -> None:
    """GET would be a query without a CSRF check (and an advisor's query writes to the audit of reads)."""
    over_get = await client.get(GRAPHQL, params={"query": "{ me { id } }"}, headers=student.headers)
    assert over_get.status_code in {400, 405}, over_get.text
    assert str(student.account_id) not in over_get.text
    batch = [{"query": "{ me { id } }"}, {"query": "{ me { id } }"}]
    batched = await client.post(GRAPHQL, json=batch, headers=student.headers)  # would dodge the cost limit
    assert batched.status_code == 400, batched.text
