"""Who may call what, for every route in the app's route table: anonymous, the owner, another student, an advisor.

The routes come from the app itself, so a new route is checked the moment it exists: it needs
credentials (401 without); another student never reaches the owner's data and cannot tell it exists
(the answer for the owner's id is exactly the answer for an id that never existed: 404, or 400 when
the body is invalid anyway; nothing of the owner's appears in lists); and the owner gets through
(never 401/403/404). Public routes must be on the short, explicit allowlist below.

Routes are for one role or both: a student's routes answer an advisor 403 (`students-only`), even one
the owner granted access (advisors read students through GraphQL); an advisor's routes (/advisor/…)
answer a student 403 (`advisors-only`); credentials (/auth, /tokens) are for every account.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.api.conftest import Client, Student, sign_up, sign_up_advisor

pytestmark = pytest.mark.api

MARKER = "Quillon Zabriskie"
"""A name only the owner's data contains: it must never appear in another student's responses."""

PUBLIC = {
    ("POST", "/api/v1/auth/sign-up"),
    ("POST", "/api/v1/auth/sign-in"),
    ("POST", "/api/v1/auth/advisor-sign-up"),
    ("GET", "/api/v1/calendar-feeds/{token:str}"),
}
"""Routes that need no credentials. The docs (/docs…) and /health are public by path."""

CLIENT = {("GET", "/"), ("GET", "/{file_path:path}"), ("GET", "/assets/{file_path:path}")}
"""The web client's files (or, with no client build, a redirect from / to the docs): public, and
none of them is API data."""

NOWHERE = {
    "contact_id": "00000000-0000-4000-8000-000000000001",
    "interview_id": "00000000-0000-4000-8000-000000000002",
    "question_id": "00000000-0000-4000-8000-000000000003",
    "token_id": "00000000-0000-4000-8000-000000000004",
    "advisor_id": "00000000-0000-4000-8000-000000000005",
    "kind": "request",
    "token": "no-such-feed",
}

ADVISOR_ROUTES = "/api/v1/advisor/"
"""Routes for advisors only."""
EVERY_ACCOUNT = ("/api/v1/auth/", "/api/v1/tokens")
"""Credentials: for students and advisors alike."""

# Routes that end the caller's own session or token, and deletions: checked for the owner last.
SELF_ENDING = {"/api/v1/auth/sign-out", "/api/v1/auth/sign-out-everywhere", "/api/v1/tokens/{token_id:uuid}"}


def routes(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/docs") or route.path == "/health":
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method not in {"HEAD", "OPTIONS"}:
                    yield method, route.path, handler


def fill(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in ids:
            raise AssertionError(f"add a value for path parameter {name!r} to the authorization matrix")
        return ids[name]

    return re.sub(r"\{(\w+):\w+\}", value, path)


async def owner_world(client: Client, owner: Student, advisor: Student) -> dict[str, str]:
    """An owner with one of everything a path can name (and a grant to `advisor`)."""
    h = owner.headers
    contact = (await client.post("/api/v1/contacts", json={"name": MARKER, "howFound": "alumni"}, headers=h)).json()
    scheduled = await client.post(
        f"/api/v1/contacts/{contact['id']}/interviews",
        json={"startsAt": "2030-01-01T15:00:00Z", "format": "video"},
        headers=h,
    )
    assert scheduled.status_code == 201, scheduled.text
    me = (await client.get("/api/v1/me", headers=h)).json()
    spare = await client.post("/api/v1/tokens", json={"name": "spare"}, headers=h)
    assert spare.status_code == 201, spare.text
    feed = await client.post("/api/v1/calendar-feed", headers=h)
    assert feed.status_code == 201, feed.text
    granted = await client.post("/api/v1/me/advisors", json={"email": advisor.email, "scope": "notes"}, headers=h)
    assert granted.status_code == 201, granted.text
    return {
        "contact_id": contact["id"],
        "interview_id": scheduled.json()["interviews"][0]["id"],
        "question_id": me["questions"][0]["id"],
        "token_id": spare.json()["tokenId"],
        "kind": "request",
        "token": feed.json()["url"].rsplit("/", 1)[1],
        "advisor_id": str(advisor.account_id),
    }


def as_nowhere(text: str, ids: dict[str, str]) -> str:
    """`text` with the owner's ids replaced by the ids that never existed."""
    for name, value in ids.items():
        text = text.replace(value, NOWHERE[name])
    return text


async def advisors_only(
    client: Client,
    method: str,
    path: str,
    url: str,
    body: dict[str, Any] | None,
    *,
    students: tuple[Student, ...],
    advisor: Student,
) -> None:
    """An advisor's own routes: every student (owner or not) is refused, plainly; the advisor gets through."""
    for student in students:
        refused = await client.request(method, url, json=body, headers=student.headers)
        assert refused.status_code == 403, (method, path, refused.status_code, refused.text)
        assert refused.json()["type"].endswith("/advisors-only")
    as_advisor = await client.request(method, url, json=body, headers=advisor.headers)
    assert as_advisor.status_code not in {401, 403, 404}, (method, path, as_advisor.text)
    assert as_advisor.status_code < 500, (method, path, as_advisor.text)


async def students_only(
    client: Client, method: str, path: str, ids: dict[str, str], body: dict[str, Any] | None, *, advisor: Student
) -> None:
    """A student's routes: an advisor is refused before anything is looked up, even with the owner's grant
    (or 400 when the request is malformed anyway: parameters are checked first, and say nothing), and
    the owner's ids answer exactly as ids that never existed."""
    as_advisor = await client.request(method, fill(path, ids), json=body, headers=advisor.headers)
    assert as_advisor.status_code in {400, 403}, (method, path, as_advisor.status_code, as_advisor.text)
    if as_advisor.status_code == 403:
        assert as_advisor.json()["type"].endswith("/students-only"), (method, path)
    assert MARKER not in as_advisor.text, (method, path)
    if "{" in path:
        nowhere = await client.request(method, fill(path, NOWHERE), json=body, headers=advisor.headers)
        assert (as_advisor.status_code, as_nowhere(as_advisor.text, ids)) == (nowhere.status_code, nowhere.text)


async def test_every_route_is_covered(client: Client) -> None:
    app = client.app
    table = list(routes(app))
    assert len(table) > 30
    public = {(m, p) for m, p, h in table if h.opt.get("exclude_from_auth")}
    assert public - CLIENT == PUBLIC, "a route became public (or stopped being): update PUBLIC only on purpose"
    assert ("GET", "/") in public or ("GET", "/{file_path:path}") in public
    owner = await sign_up(client)
    other = await sign_up(client)
    advisor = await sign_up_advisor(client)
    ids = await owner_world(client, owner, advisor)
    last: list[tuple[str, str]] = []
    for method, path, _ in table:
        if (method, path) in PUBLIC | CLIENT:
            continue
        url = fill(path, ids)
        body: dict[str, Any] | None = None if method in {"GET", "DELETE"} else {}

        anonymous = await client.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        assert anonymous.headers["content-type"].startswith("application/problem+json")

        if path.startswith(ADVISOR_ROUTES):
            await advisors_only(client, method, path, url, body, students=(owner, other), advisor=advisor)
            continue
        if path.startswith("/api/v1/") and not path.startswith(EVERY_ACCOUNT):
            await students_only(client, method, path, ids, body, advisor=advisor)

        as_other = await client.request(method, url, json=body, headers=other.headers)
        if "{" in path:
            # Exactly what a name that never existed gets: 404, or 400 when the body is checked first.
            nowhere = await client.request(method, fill(path, NOWHERE), json=body, headers=other.headers)
            assert as_other.status_code in {400, 404}, (method, path, as_other.status_code, as_other.text)
            seen = as_nowhere(as_other.text, ids)
            assert (as_other.status_code, seen) == (nowhere.status_code, nowhere.text), (method, path)
        else:
            assert as_other.status_code < 500, (method, path, as_other.text)
            assert as_other.status_code not in {401, 403}, (method, path, as_other.text)
        assert MARKER not in as_other.text, (method, path)

        if path in SELF_ENDING or method == "DELETE":
            last.append((method, url))
            continue
        as_owner = await client.request(method, url, json=body, headers=owner.headers)
        assert as_owner.status_code not in {401, 403, 404}, (method, path, as_owner.status_code, as_owner.text)
        assert as_owner.status_code < 500, (method, path, as_owner.text)
    for method, url in last:
        as_owner = await client.request(method, url, json=None if method == "DELETE" else {}, headers=owner.headers)
        assert as_owner.status_code not in {401, 403, 404}, (method, url, as_owner.status_code, as_owner.text)
        assert as_owner.status_code < 500, (method, url, as_owner.text)
