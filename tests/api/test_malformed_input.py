"""Malformed input, on every route in the app's route table: each is a 400 problem, never a 500, and
nothing is recorded.

The requests go to the ASGI app as raw bytes, as a server hands them over (granian passes header
bytes above 0x7F and a path's `%00` on; httpx and the test client would re-encode them as UTF-8): a
body that is not UTF-8, header values with Latin-1 bytes, URLs with bad percent-escapes, escapes that
decode to something other than UTF-8, and NUL. Each answer is checked whole (status, type, title),
the log must hold no error (an unexpected error is logged with its traceback), and the event log must
be as it was.
"""

import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.routes import HTTPRoute

from tests.api.asgi import Answer, send_raw
from tests.api.conftest import Client, Student, sign_up, sign_up_advisor
from tests.api.helpers import add_contact_id, count_events

pytestmark = pytest.mark.api

PROBLEMS = "https://rapport.example/problems/"
MALFORMED_BODY = {"status": 400, "type": PROBLEMS + "malformed-body", "title": "The request body is malformed"}
MALFORMED_URL = {"status": 400, "type": PROBLEMS + "malformed-url", "title": "The URL is malformed"}
MALFORMED_HEADER = {"status": 400, "type": PROBLEMS + "malformed-header", "title": "A header is malformed"}
BAD_PRECONDITION = {
    "status": 400,
    "type": PROBLEMS + "bad-precondition",
    "title": "If-Match must be an ETag from this API",
}

BODIES = {
    "0xFF, never UTF-8 (the sign-in of issue 13)": b'{"email":"x@example.org","password":"\xff"}',
    "a Latin-1 key": b'{"na\xefve":"x"}',
    "a surrogate encoded in UTF-8": b'{"name":"\xed\xa0\x80"}',
    "an overlong '/'": b'{"name":"\xc0\xaf"}',
    "a character cut short": b'{"name":"caf\xc3"}',
}
HEADERS = {
    "If-Match": b'"\xb2"',  # "²" in Latin-1: str.isdigit() said yes, int() said no
    "If-None-Match": b'"\xff"',
    "Idempotency-Key": b"cl\xe9-1",
    "Authorization": b"Bearer rpt_\xff\xfe",
    "X-CSRF-Token": b"\xe9",
    "Content-Type": b"application/json; charset=\xff",
}
QUERIES = [b"q=%ff", b"q=%", b"limit=%zz", b"q=%00", b"q=%ed%a0%80", b"q=caf%c3", b"cursor=\xff"]
PATH_VALUES = [b"%ff", b"%00", b"a%zzb", b"%c0%af"]
"""Values for a route's `str` or `path` parameter (a `uuid` one does not match them at all)."""

VALUES = {"uuid": str(uuid.UUID(int=1)).encode(), "str": b"request", "path": b"index.html"}
"""A well-formed value for each kind of path parameter."""


def routes(app: Litestar) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    """Every method of every HTTP route the app has (the docs' included), but HEAD and OPTIONS."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    yield method, route.path, handler


def fill(path: str, override: bytes | None = None) -> bytes:
    """The route's path with a well-formed value for each parameter, or `override` for `str`/`path` ones."""

    def value(match: re.Match[str]) -> str:
        kind = match.group(1)
        chosen = override if override is not None and kind in {"str", "path"} else VALUES[kind]
        return chosen.decode("latin-1")

    return re.sub(r"\{\w+:(\w+)\}", value, path).encode("latin-1")


def credentials(path: str, student: Student, advisor: Student) -> dict[str, bytes]:
    """Who may call the route, so that a check after authentication would be reached too."""
    who = advisor if path.startswith("/api/v1/advisor/") else student
    return {name: value.encode() for name, value in who.headers.items()}


class Misses:
    """The answers that were not the expected problem document, gathered so that a failure lists them all."""

    def __init__(self) -> None:
        self.found: list[tuple[object, int, bytes]] = []

    def expect(self, answer: Answer, document: dict[str, Any], case: object) -> None:
        is_problem = answer.headers.get(b"content-type", b"").startswith(b"application/problem+json")
        got = json.loads(answer.body) if is_problem else {}
        if answer.status != document["status"] or {key: got.get(key) for key in document} != document:
            self.found.append((case, answer.status, answer.body[:160]))

    def __bool__(self) -> bool:
        return bool(self.found)

    def __str__(self) -> str:
        errors = sum(status >= 500 for _, status, _ in self.found)
        worst_first = sorted(self.found, key=lambda found: found[1] < 500)
        listed = "\n".join(f"{case}: {status} {body!r}" for case, status, body in worst_first[:40])
        return f"{len(self.found)} wrong answers, {errors} of them 5xx:\n{listed}"


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """An unexpected error is logged at ERROR with its traceback: none may be."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


@pytest.mark.usefixtures("no_errors_logged")
async def test_every_route_refuses_a_body_that_is_not_utf8(client: Client, pool: asyncpg.Pool) -> None:
    student, advisor = await sign_up(client), await sign_up_advisor(client)
    before = await count_events(pool)
    misses = Misses()
    table = list(routes(client.app))
    assert len(table) > 30
    for method, path, _ in table:
        for name, body in BODIES.items():
            for who in ({}, credentials(path, student, advisor)):  # anonymous too: sign-in needs no login
                headers = {"Content-Type": b"application/json", **who}
                answer = await send_raw(client, method, fill(path), headers=headers, chunks=(body,))
                misses.expect(answer, MALFORMED_BODY, (method, path, name, "signed in" if who else "anonymous"))
    assert not misses, str(misses)
    assert await count_events(pool) == before


@pytest.mark.usefixtures("no_errors_logged")
async def test_a_body_split_inside_a_character_is_still_utf8(client: Client, student: Student) -> None:
    """The check reads the whole body before judging it: a character cut across two chunks is fine."""
    body = json.dumps({"name": "Zoë Lee", "howFound": "alumni"}, ensure_ascii=False).encode()
    cut = body.index("ë".encode()) + 1
    headers = {"Content-Type": b"application/json", **credentials("/api/v1/contacts", student, student)}
    answer = await send_raw(client, "POST", b"/api/v1/contacts", headers=headers, chunks=(body[:cut], body[cut:]))
    assert answer.status == 201, answer.body
    assert json.loads(answer.body)["name"] == "Zoë Lee"


@pytest.mark.usefixtures("no_errors_logged")
async def test_every_route_refuses_headers_with_bytes_outside_ascii(client: Client, pool: asyncpg.Pool) -> None:
    student, advisor = await sign_up(client), await sign_up_advisor(client)
    before = await count_events(pool)
    misses = Misses()
    for method, path, _ in routes(client.app):
        for name, value in HEADERS.items():
            headers = {"Content-Type": b"application/json", **credentials(path, student, advisor), name: value}
            answer = await send_raw(client, method, fill(path), headers=headers, chunks=(b"{}",))
            misses.expect(answer, {**MALFORMED_HEADER, "header": name}, (method, path, name))
        for cookie in (b"rapport_session=\xff", b"rapport_device=ok; rapport_session=caf\xe9"):
            answer = await send_raw(client, method, fill(path), headers={"Cookie": cookie}, chunks=(b"{}",))
            misses.expect(answer, {**MALFORMED_HEADER, "header": "Cookie"}, (method, path, cookie))
    assert not misses, str(misses)
    assert await count_events(pool) == before


@pytest.mark.usefixtures("no_errors_logged")
async def test_other_sites_cookies_are_left_alone(client: Client, student: Student) -> None:
    """On a shared host (localhost in development) other apps' cookies arrive too: only ours are judged."""
    headers = {**credentials("/api/v1/me", student, student), "Cookie": b"theme=caf\xe9; other=\xff"}
    answer = await send_raw(client, "GET", b"/api/v1/me", headers=headers)
    assert answer.status == 200, answer.body


@pytest.mark.usefixtures("no_errors_logged")
async def test_every_route_refuses_a_malformed_url(client: Client, pool: asyncpg.Pool) -> None:
    student, advisor = await sign_up(client), await sign_up_advisor(client)
    before = await count_events(pool)
    misses = Misses()
    for method, path, _ in routes(client.app):
        headers = {"Content-Type": b"application/json", **credentials(path, student, advisor)}
        for query in QUERIES:
            answer = await send_raw(client, method, fill(path), query=query, headers=headers, chunks=(b"{}",))
            misses.expect(answer, MALFORMED_URL, (method, path, query))
        if re.search(r"\{\w+:(str|path)\}", path):
            for value in PATH_VALUES:
                answer = await send_raw(client, method, fill(path, value), headers=headers, chunks=(b"{}",))
                misses.expect(answer, MALFORMED_URL, (method, path, value))
    assert not misses, str(misses)
    assert await count_events(pool) == before


@pytest.mark.usefixtures("no_errors_logged")
async def test_if_match_must_be_an_etag_of_this_api(client: Client, student: Student, pool: asyncpg.Pool) -> None:
    """`"²"` passed `str.isdigit()` and failed `int()` (a 500); other scripts' digits were read as numbers;
    a version past PostgreSQL's bigint overflowed. Each is a 400 now, on every route that takes If-Match."""
    contact = await add_contact_id(client, student)
    steps = [
        ("POST", f"/api/v1/contacts/{contact}/archive", {}),
        ("PATCH", f"/api/v1/contacts/{contact}", {"title": "Engineer"}),
        ("PATCH", "/api/v1/me", {"displayName": "Sam"}),
    ]
    raw_headers = [(name.encode(), value.encode()) for name, value in student.headers.items()]
    before = await count_events(pool)
    for method, path, body in steps:
        for tag in ['"²"', '"\u0661"', '"1.5"', '"-1"', '"99999999999999999999"', '""', "x"]:
            response = await client.request(
                method, path, json=body, headers=[*raw_headers, (b"if-match", tag.encode())]
            )
            # The test client sends UTF-8: past ASCII, the edge refuses the header before the route reads it.
            expected = BAD_PRECONDITION if tag.isascii() else {**MALFORMED_HEADER, "header": "If-Match"}
            assert response.status_code == 400, (path, tag, response.text)
            assert {key: response.json().get(key) for key in expected} == expected, (path, tag, response.text)
    assert await count_events(pool) == before
    # A version of this API still works, plain or weak.
    archived = await client.post(
        f"/api/v1/contacts/{contact}/archive", json={}, headers={**student.headers, "If-Match": 'W/"1"'}
    )
    assert archived.status_code == 200, archived.text


@pytest.mark.usefixtures("no_errors_logged")
async def test_graphql_refuses_what_is_not_a_graphql_request(client: Client, student: Student) -> None:
    """Past the edge too: JSON with a lone surrogate, and bytes that are not UTF-8 (as a server without
    the edge's check would pass them), are the same 400 as any other body that is not a GraphQL request."""
    from backend.web.graphql.schema import _graphql_request

    for body in [b'{"query": "{ me { id } }", "variables": {"a": "\\ud800"}}', b'{"query": "\xff"}']:
        with pytest.raises(ProblemDetailsException) as refused:
            _graphql_request(body)
        assert (refused.value.status_code, refused.value.type_) == (400, PROBLEMS + "invalid-graphql-request"), body
