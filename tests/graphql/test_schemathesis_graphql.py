"""schemathesis's GraphQL mode against the committed openapi/schema.graphql, over real HTTP to the real server.

For every query field, schemathesis generates queries (valid ones, and invalid ones in its negative
mode) and POSTs them to /graphql, once signed in as a student and once as an advisor with grants. No
answer may be a 5xx, and every answer must be a well-formed GraphQL response: a JSON object with
`data` and/or a non-empty `errors`, each error with a message and an `extensions.code`, none of them
INTERNAL (an unexpected exception, masked). Typed errors are expected (NOT_FOUND for a student one
may not read, FORBIDDEN for a student asking for a cohort, QUERY_TOO_COMPLEX, BAD_INPUT), so
schemathesis's own `not_a_server_error`, which counts any error raised in a resolver as the server's
fault, is replaced by the INTERNAL check; its response checks (a JSON object, no null in a non-null
field, invalid queries refused) are kept.

Arguments are drawn so that they reach the resolvers: UUIDs are mostly the ids of this world's
accounts (so `student(id)` finds data), page sizes and day counts are in range half of the time, and
`after` is a real cursor, a well-encoded cursor of any position (integers and moments at the limits
of their types among them), or any text.
"""

import base64
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.graphql import nodes
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend.eventstore.store import READ_SLICES
from tests.live_server import live_server

pytestmark = [pytest.mark.api, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("RAPPORT_SCHEMATHESIS_EXAMPLES", "15"))
PASSWORD = "correct horse battery"

KNOWN_IDS: list[str] = []
"""The accounts of the world below (the student who grants `notes` first); drawn from for UUID arguments."""
KNOWN_CURSORS: list[str] = []
"""Real cursors, read from the server once the world is built; drawn from for `after`."""


def _pick(known: list[str], fallback: str) -> "st.SearchStrategy[str]":
    """One of `known` (the first more often), or `fallback` while it is empty."""
    return st.integers(min_value=0, max_value=7).map(lambda i: known[min(i, 3) % len(known)] if known else fallback)


def _cursor(position: object) -> str:
    """A cursor as the server makes them (url-safe base64 of JSON, unpadded), with any position inside."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


EDGES = [0, -1, 2**31 - 2, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30]
"""Integers at the limits of the types a position may be read into (int4, int8, float64, beyond)."""
MOMENTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999+00:00",
    "1970-01-01T00:00:00Z",
]
"""Moments at the ends of what a datetime holds, with and without a time zone."""

EDGE_CURSORS = [_cursor(n) for n in EDGES] + [_cursor([moment, str(uuid.UUID(int=1))]) for moment in MOMENTS]
POSITIONS = st.one_of(
    st.integers(),
    st.tuples(st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat), st.uuids().map(str)),
    st.tuples(st.datetimes().map(datetime.isoformat), st.uuids().map(str)),
    st.uuids().map(str),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)

# Registered before the schema is loaded, as schemathesis wants. The built-in Int and String are
# replaced too (only arguments use them), so that most queries get past their first argument: page
# sizes and day counts in range more often than not, else at the edges or any 32-bit integer; for
# `after`, real cursors, cursors at the limits, cursors of any position, or any text; dates, the
# first and last ones among them.
IDS = _pick(KNOWN_IDS, str(uuid.UUID(int=0)))
schemathesis.graphql.scalar("UUID", st.one_of(IDS, IDS, IDS, st.uuids().map(str)).map(nodes.String))
IN_RANGE = st.integers(min_value=1, max_value=50)
schemathesis.graphql.scalar(
    "Int",
    st.one_of(
        IN_RANGE,
        IN_RANGE,
        st.sampled_from([0, -1, 51, 2**31 - 1, -(2**31)]),
        st.integers(min_value=-(2**31), max_value=2**31 - 1),
    ).map(nodes.Int),
)
schemathesis.graphql.scalar(
    "Date", st.one_of(st.dates().map(date.isoformat), st.sampled_from(["0001-01-01", "9999-12-31"])).map(nodes.String)
)
CURSORS = _pick(KNOWN_CURSORS, "")
schemathesis.graphql.scalar(
    "String",
    st.one_of(
        CURSORS, st.sampled_from(EDGE_CURSORS), st.sampled_from(EDGE_CURSORS), POSITIONS.map(_cursor), st.text()
    ).map(nodes.String),
)
SCHEMA = schemathesis.graphql.from_path(ROOT / "openapi" / "schema.graphql")


@dataclass(frozen=True)
class World:
    url: str
    student: dict[str, str]
    advisor: dict[str, str]
    ids: dict[str, str]


@pytest.fixture(scope="module")
def world(pg_server: Any, template_url: str) -> Iterator[World]:
    """A student who grants an advisor `notes`, another who grants `summary`; both with a small network."""
    with live_server(pg_server) as live, httpx.Client(base_url=live.url) as client:
        advisor, advisor_id = _account(client, "/api/v1/auth/advisor-sign-up", "fuzz-advisor@example.edu")
        student, student_id = _account(client, "/api/v1/auth/sign-up", "fuzz@example.edu")
        other, other_id = _account(client, "/api/v1/auth/sign-up", "fuzz-other@example.edu")
        for headers, scope in ((student, "notes"), (other, "summary")):
            _network(client, headers)
            grant = {"email": "fuzz-advisor@example.edu", "scope": scope}
            _ok(client.post("/api/v1/me/advisors", json=grant, headers=headers))
        KNOWN_CURSORS[:] = _cursors(client, student, advisor)
        KNOWN_IDS[:] = [student_id, other_id, advisor_id]
        try:
            yield World(
                url=f"{live.url}/graphql",
                student=student,
                advisor=advisor,
                ids={"advisor": advisor_id, "student": student_id, "other": other_id},
            )
        finally:
            KNOWN_CURSORS.clear()
            KNOWN_IDS.clear()


def _ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code in {200, 201}, f"{response.request.method} {response.request.url}: {response.text}"
    return response


def _account(client: httpx.Client, path: str, email: str) -> tuple[dict[str, str], str]:
    """A new account (student or advisor) with a personal access token: its headers and id."""
    client.cookies.clear()
    body = {"email": email, "password": PASSWORD, "displayName": email.split("@", maxsplit=1)[0]}
    signed = _ok(client.post(path, json=body)).json()
    token = _ok(client.post("/api/v1/tokens", json={"name": "fuzz"}, headers={"X-CSRF-Token": signed["csrfToken"]}))
    client.cookies.clear()
    return {"Authorization": f"Bearer {token.json()['token']}"}, str(signed["accountId"])


def _network(client: httpx.Client, headers: dict[str, str]) -> None:
    """Two contacts; with the first, a request, a held interview, thanks and a referral (so every field has data)."""

    def ago(days: float) -> str:
        return (datetime.now(UTC) - timedelta(days=days)).isoformat()

    contact = _ok(
        client.post(
            "/api/v1/contacts",
            json={"name": "Ana Lee", "howFound": "alumni", "organization": "Lee Labs", "careerField": "Law"},
            headers=headers,
        )
    ).json()["id"]
    _ok(client.post("/api/v1/contacts", json={"name": "Bo Park", "howFound": "alumni"}, headers=headers))

    def step(path: str, body: dict[str, Any]) -> httpx.Response:
        return _ok(client.post(f"/api/v1/contacts/{contact}/{path}", json=body, headers=headers))

    step("requests", {"channel": "email", "format": "video", "sentAt": ago(9)})
    scheduled = step("interviews", {"startsAt": ago(5), "minutes": 20, "format": "video"})
    interview = scheduled.headers["location"].rsplit("/", 1)[1]
    step("held", {"interviewId": interview, "heldAt": ago(5), "notes": "useful"})
    step("thanks", {"helpfulThing": "advice", "interviewId": interview, "sentAt": ago(4)})
    step("referrals", {"name": "Cy Referred"})


def _cursors(client: httpx.Client, student: dict[str, str], advisor: dict[str, str]) -> list[str]:
    """Cursors the server handed out: of contacts, of a contact's history, of advisees."""
    own = (
        "{ me { student { contacts(first: 1) { edges { cursor node { history(first: 1) { edges { cursor } } } } } } } }"
    )
    contacts = _ok(client.post("/graphql", json={"query": own}, headers=student)).json()["data"]["me"]["student"]
    edge = contacts["contacts"]["edges"][0]
    advisees = "{ advisees(first: 1) { edges { cursor } } }"
    first = _ok(client.post("/graphql", json={"query": advisees}, headers=advisor)).json()["data"]["advisees"]
    return [edge["cursor"], edge["node"]["history"]["edges"][0]["cursor"], first["edges"][0]["cursor"]]


def _well_formed(query: str, response: schemathesis.Response | httpx.Response) -> None:
    """No 5xx; a GraphQL response whose every error has a message and a code, and none is INTERNAL."""
    where = f"query:\n{query}\nanswer ({response.status_code}): {response.text[:2000]}"
    assert response.status_code < 500, where
    body = json.loads(response.content)
    assert isinstance(body, dict), where
    assert set(body) <= {"data", "errors", "extensions"}, where
    assert "data" in body or "errors" in body, where
    errors = body.get("errors")
    if errors is None:
        assert body.get("data") is not None, where
        return
    assert isinstance(errors, list), where
    assert errors, where
    for error in errors:
        assert isinstance(error, dict), where
        assert isinstance(error.get("message"), str), where
        assert error["message"], where
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str), where
        assert code, where
        assert code != "INTERNAL", where


EXCLUDED: list[CheckFunction] = [
    # Counts any error raised in a resolver as a server error; the INTERNAL check in `_well_formed` stands in.
    not_a_server_error,
    # A valid query may still be refused, with a code: too costly, a negative page size, a stale cursor.
    positive_data_acceptance,
]

FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _run(case: schemathesis.Case[Any], url: str, headers: dict[str, str]) -> None:
    response = case.call(base_url=url, headers=headers, timeout=30)
    _well_formed(case.body if isinstance(case.body, str) else repr(case.body), response)
    case.validate_response(response, excluded_checks=EXCLUDED, headers=headers)


@SCHEMA.parametrize()
@FUZZ
def test_graphql_as_a_student(case: schemathesis.Case[Any], world: World) -> None:
    _run(case, world.url, world.student)


@SCHEMA.parametrize()
@FUZZ
def test_graphql_as_an_advisor_with_grants(case: schemathesis.Case[Any], world: World) -> None:
    _run(case, world.url, world.advisor)


# What the fuzzer found once, asked every time: cursors whose position cannot be held by the column
# it is compared with (a moment before year 1 or after 9999 in UTC; an integer beyond int4/int8).
CONTACTS_AFTER = "query($after: String) { me { student { contacts(after: $after) { nodes { id } } } } }"
HISTORY_AFTER = (
    "query($after: String) { me { student { contacts { nodes { history(after: $after) { nodes { type } } } } } } }"
)
AT_THE_LIMITS = {
    "contacts after 0001-01-01T00:00:00+14:00": (CONTACTS_AFTER, ["0001-01-01T00:00:00+14:00", str(uuid.UUID(int=1))]),
    "contacts after 9999-12-31T23:59:59-14:00": (CONTACTS_AFTER, ["9999-12-31T23:59:59-14:00", str(uuid.UUID(int=1))]),
    "history after 2**31-2": (HISTORY_AFTER, 2**31 - 2),
    "history after 2**31-1": (HISTORY_AFTER, 2**31 - 1),
    "history after 2**31": (HISTORY_AFTER, 2**31),
    "history after 2**63": (HISTORY_AFTER, 2**63),
}


@pytest.mark.parametrize(("query", "position"), AT_THE_LIMITS.values(), ids=list(AT_THE_LIMITS))
def test_cursors_at_the_limits_get_a_coded_error(query: str, position: object, world: World) -> None:
    variables = {"after": _cursor(position)}
    response = httpx.post(world.url, json={"query": query, "variables": variables}, headers=world.student, timeout=30)
    _well_formed(f"{query}\nvariables: {json.dumps(variables)}", response)


@pytest.mark.parametrize("position", [2**31 - 2, 2**31 - 1])
def test_history_after_the_last_int4_version_is_an_empty_page(position: int, world: World) -> None:
    # The page's end (after + first + 1) is past int4: counted in bigint, it is simply nothing more.
    query = (
        "query($after: String) { me { student { contacts { nodes { history(first: 5, after: $after) {"
        " nodes { type } pageInfo { hasNextPage endCursor } } } } } } }"
    )
    variables = {"after": _cursor(position)}
    response = httpx.post(world.url, json={"query": query, "variables": variables}, headers=world.student, timeout=30)
    _well_formed(f"{query}\nvariables: {json.dumps(variables)}", response)
    body = response.json()
    assert "errors" not in body, body
    nodes = body["data"]["me"]["student"]["contacts"]["nodes"]
    assert nodes, body
    empty = {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    assert [contact["history"] for contact in nodes] == [empty] * len(nodes), body


@pytest.mark.parametrize("position", [2**31 - 2, 2**31 - 1])
async def test_the_history_statement_counts_past_int4(position: int, db: asyncpg.Connection) -> None:
    # The live server's tiny tables are scanned whole, and then the page's end is never computed; with
    # more rows PostgreSQL walks the (stream, version) index, whose bounds are computed for every key.
    await db.execute("SET enable_seqscan = off")
    args = (["contact-x"], [position], [position + 6])
    plan = "\n".join(r[0] for r in await db.fetch("EXPLAIN " + READ_SLICES, *args))
    assert "Index Cond" in plan, plan
    assert await db.fetch(READ_SLICES, *args) == []


@pytest.mark.parametrize("days", [-(2**31), 0, 3661])
def test_an_inactivity_limit_out_of_range_is_bad_input(days: int, world: World) -> None:
    query = f"{{ cohort(inactiveDays: {days}) {{ students }} }}"
    response = httpx.post(world.url, json={"query": query}, headers=world.advisor, timeout=30)
    _well_formed(query, response)
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_INPUT"]
    assert response.json()["data"] is None


def test_a_sensible_inactivity_limit_is_answered(world: World) -> None:
    query = "{ cohort(inactiveDays: 30) { students } }"
    response = httpx.post(world.url, json={"query": query}, headers=world.advisor, timeout=30)
    assert response.json() == {"data": {"cohort": {"students": 2}}}, response.text
