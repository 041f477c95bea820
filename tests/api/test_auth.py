"""Sign-up, sign-in, sessions, CSRF, sign-out and throttling, through the HTTP API on real PostgreSQL."""

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.eventstore import EventStore
from backend.infra.db import create_pool
from backend.registry import event_registry
from backend.students.events import StudentRegistered, student_stream
from tests.api.conftest import PASSWORD, Client, Student, sign_up
from tests.api.helpers import assert_problem
from tests.conftest import settings_for_tests

pytestmark = pytest.mark.api

SIGN_UP = "/api/v1/auth/sign-up"
SIGN_IN = "/api/v1/auth/sign-in"
SESSION = "/api/v1/auth/session"
SIGN_OUT = "/api/v1/auth/sign-out"
SIGN_OUT_EVERYWHERE = "/api/v1/auth/sign-out-everywhere"
TOKENS = "/api/v1/tokens"


def new_email() -> str:
    return f"someone-{uuid.uuid4().hex[:10]}@example.edu"


def sign_up_body(**overrides: Any) -> dict[str, Any]:
    return {"email": new_email(), "password": PASSWORD, "displayName": "Ada Student", **overrides}


def session_cookie(response: httpx.Response) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith("rapport_session=")]
    return header


async def signed_in_csrf(client: Client, email: str, password: str = PASSWORD) -> str:
    response = await client.post(SIGN_IN, json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrfToken"]
    return csrf


# -- sign-up ----------------------------------------------------------------------------------------


async def test_sign_up_sets_an_http_only_lax_cookie_and_answers_with_the_csrf_token(client: Client) -> None:
    body = sign_up_body(timeZone="Europe/Paris", country="FR")
    response = await client.post(SIGN_UP, json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["email"] == body["email"]
    assert answer["role"] == "student"
    assert answer["via"] == "session"
    assert len(answer["csrfToken"]) >= 32
    uuid.UUID(answer["accountId"])
    cookie = session_cookie(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert "max-age=2592000" in cookie
    assert "secure" not in cookie  # plain http here; see the https test

    session = await client.get(SESSION)
    assert session.status_code == 200
    assert session.json() == answer


async def test_the_cookie_is_secure_over_https(database_url: str) -> None:
    app = create_app(settings_for_tests(), database_url)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        response = await client.post(SIGN_UP, json=sign_up_body())
        assert response.status_code == 201
        assert "; secure" in session_cookie(response).lower()
        assert (await client.get(SESSION)).status_code == 200


async def test_sign_up_registers_the_student_with_themselves_as_the_actor(
    client: Client, db: asyncpg.Connection, database_url: str
) -> None:
    response = await client.post(SIGN_UP, json=sign_up_body(email="Ada@Example.edu", timeZone="Asia/Tokyo"))
    account_id = uuid.UUID(response.json()["accountId"])

    rows = await db.fetch(
        "SELECT type, actor_id FROM events WHERE stream_id = $1 ORDER BY version", student_stream(account_id)
    )
    assert rows[0]["type"] == "StudentRegistered"
    assert {row["actor_id"] for row in rows} == {f"student:{account_id}"}
    account = await db.fetchrow("SELECT email, role, password_hash FROM accounts WHERE account_id = $1", account_id)
    assert account is not None
    assert account["email"] == "Ada@Example.edu"
    assert account["role"] == "student"
    assert account["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in account["password_hash"]

    pool = await create_pool(database_url, 2)
    try:
        recorded = await EventStore(pool, event_registry()).read_stream(student_stream(account_id))
    finally:
        await pool.close()
    registered = recorded[0].event
    assert isinstance(registered, StudentRegistered)
    assert registered.student_id == account_id
    assert registered.email == "Ada@Example.edu"
    assert registered.time_zone == "Asia/Tokyo"
    assert registered.country == "US"


async def test_the_same_email_in_another_case_is_taken(client: Client, db: asyncpg.Connection) -> None:
    first = await client.post(SIGN_UP, json=sign_up_body(email="Grace@Example.edu"))
    assert first.status_code == 201
    again = await client.post(SIGN_UP, json=sign_up_body(email="grace@example.EDU"))
    assert_problem(again, 409, "email-taken")
    assert await db.fetchval("SELECT count(*) FROM accounts") == 1
    assert await db.fetchval("SELECT count(DISTINCT stream_id) FROM events") == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param({"email": None}, 400, id="missing email"),
        pytest.param({"email": "not-an-email"}, 400, id="malformed email"),
        pytest.param({"email": "a" * 250 + "@example.edu"}, 400, id="email too long"),
        pytest.param({"password": "short"}, 400, id="password too short"),
        pytest.param({"password": "p" * 201}, 400, id="password too long"),
        pytest.param({"password": 1234567890123}, 400, id="password not a string"),
        pytest.param({"displayName": "   "}, 400, id="blank name"),
        pytest.param({"displayName": "n" * 201}, 400, id="name too long"),
        pytest.param({"timeZone": "Mars/Olympus_Mons"}, 422, id="unknown time zone"),
        pytest.param({"timeZone": "t" * 65}, 400, id="time zone too long"),
        pytest.param({"country": "XX"}, 422, id="unknown country"),
        pytest.param({"country": "USA"}, 400, id="country too long"),
        pytest.param({"country": "us"}, 422, id="lower-case country"),
    ],
)
async def test_bad_sign_ups_are_problems_and_change_nothing(
    client: Client, db: asyncpg.Connection, change: dict[str, Any], status: int
) -> None:
    body = {key: value for key, value in {**sign_up_body(), **change}.items() if value is not None}
    response = await client.post(SIGN_UP, json=body)
    assert_problem(response, status)
    assert "set-cookie" not in response.headers
    assert await db.fetchval("SELECT count(*) FROM accounts") == 0
    assert await db.fetchval("SELECT count(*) FROM events") == 0
    assert await db.fetchval("SELECT count(*) FROM sessions") == 0


async def test_sign_up_takes_json_only(client: Client, db: asyncpg.Connection) -> None:
    # A cross-site form can post text/plain without a CORS preflight; JSON it cannot.
    body = httpx.Request("POST", "/", json=sign_up_body()).content
    response = await client.post(SIGN_UP, content=body, headers={"Content-Type": "text/plain"})
    assert_problem(response, 415, "json-only")
    assert await db.fetchval("SELECT count(*) FROM accounts") == 0


async def test_the_defaults_are_utc_and_us(client: Client, db: asyncpg.Connection) -> None:
    response = await client.post(SIGN_UP, json=sign_up_body())
    assert response.status_code == 201
    data = await db.fetchval("SELECT data FROM events WHERE type = 'StudentRegistered'")
    assert '"UTC"' in str(data)
    assert '"US"' in str(data)


# -- sign-in ------------------------------------------------------------------------------------------


async def test_sign_in_opens_a_new_session_whatever_the_email_case(client: Client, student: Student) -> None:
    response = await client.post(SIGN_IN, json={"email": student.email.upper(), "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accountId"] == str(student.account_id)
    assert body["email"] == student.email
    assert "httponly" in session_cookie(response).lower()
    session = await client.get(SESSION)
    assert session.json()["csrfToken"] == body["csrfToken"]


async def test_a_wrong_password_and_an_unknown_email_read_the_same(client: Client, student: Student) -> None:
    wrong = await client.post(SIGN_IN, json={"email": student.email, "password": "not the password"})
    unknown = await client.post(SIGN_IN, json={"email": new_email(), "password": PASSWORD})
    wrong_body = assert_problem(wrong, 401, "sign-in-failed")
    unknown_body = assert_problem(unknown, 401, "sign-in-failed")
    assert wrong_body == unknown_body
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    assert "set-cookie" not in wrong.headers


async def test_a_weak_old_hash_is_upgraded_on_sign_in(client: Client, student: Student, db: asyncpg.Connection) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    await db.execute("UPDATE accounts SET password_hash = $2 WHERE account_id = $1", student.account_id, weak)
    assert (await client.post(SIGN_IN, json={"email": student.email, "password": PASSWORD})).status_code == 200
    upgraded = await db.fetchval("SELECT password_hash FROM accounts WHERE account_id = $1", student.account_id)
    assert upgraded != weak
    assert "m=65536" in upgraded


# -- throttling ---------------------------------------------------------------------------------------


async def test_after_five_failures_an_account_makes_others_wait_a_second_first(
    client: Client, student: Student, db: asyncpg.Connection
) -> None:
    # (tests/api/test_sign_in_guessing.py follows the backoff further, across addresses and devices.)
    for _ in range(5):
        wrong = await client.post(SIGN_IN, json={"email": student.email, "password": "not the password"})
        assert wrong.status_code == 401
    # Even the right password waits now, before it is checked: this client is no device of the account's.
    throttled = await client.post(SIGN_IN, json={"email": student.email, "password": PASSWORD})
    body = assert_problem(throttled, 429, "too-many-sign-in-attempts")
    assert body == {
        "type": "https://rapport.example/problems/too-many-sign-in-attempts",
        "title": "Too many failed sign-in attempts",
        "status": 429,
        "detail": "Try again in 1 second.",
        "retryAfter": 1,
    }
    assert throttled.headers["retry-after"] == "1"
    assert "set-cookie" not in throttled.headers
    # Throttled attempts are not failures of their own: the count stays at five.
    assert await db.fetchval("SELECT count(*) FROM sign_in_failures WHERE key LIKE 'account:%'") == 5

    # Another account from the same address is not held up by it.
    other = await sign_up(client)
    assert (await client.post(SIGN_IN, json={"email": other.email, "password": PASSWORD})).status_code == 200

    # A second later, the account may try again.
    await db.execute("UPDATE sign_in_failures SET failed_at = failed_at - interval '1 second'")
    assert (await client.post(SIGN_IN, json={"email": student.email, "password": PASSWORD})).status_code == 200


async def test_unknown_emails_are_throttled_like_real_ones(client: Client) -> None:
    email = new_email()
    for _ in range(5):
        assert (await client.post(SIGN_IN, json={"email": email, "password": PASSWORD})).status_code == 401
    assert_problem(await client.post(SIGN_IN, json={"email": email, "password": PASSWORD}), 429)


async def test_an_address_is_throttled_after_twenty_failures(client: Client, student: Student) -> None:
    for _ in range(20):
        response = await client.post(SIGN_IN, json={"email": new_email(), "password": PASSWORD})
        assert response.status_code == 401
    throttled = await client.post(SIGN_IN, json={"email": student.email, "password": PASSWORD})
    assert_problem(throttled, 429, "too-many-sign-in-attempts")
    assert int(throttled.headers["retry-after"]) >= 1


async def test_a_few_slips_never_hold_the_owner_up(client: Client, student: Student) -> None:
    # Four slips cost nothing; after the first success this client is a device of the account's, and
    # its slips count for it alone.
    wrong = {"email": student.email, "password": "nope nope nope"}
    right = {"email": student.email, "password": PASSWORD}
    for _ in range(2):
        for _ in range(4):
            assert (await client.post(SIGN_IN, json=wrong)).status_code == 401
        assert (await client.post(SIGN_IN, json=right)).status_code == 200


# -- authentication -----------------------------------------------------------------------------------


async def test_protected_routes_need_credentials(client: Client) -> None:
    for method, path in [("GET", SESSION), ("POST", SIGN_OUT), ("GET", TOKENS), ("POST", TOKENS)]:
        response = await client.request(method, path)
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-one-of-ours", "Bearer rpt_" + "x" * 43, "Bearer rpt_" + "x" * 300],
)
async def test_bad_authorization_headers_are_refused(client: Client, authorization: str) -> None:
    response = await client.get(SESSION, headers={"Authorization": authorization})
    assert_problem(response, 401, "unauthenticated")


async def test_a_bearer_token_wins_over_the_cookie(client: Client) -> None:
    response = await client.post(SIGN_UP, json=sign_up_body())
    assert response.status_code == 201
    assert (await client.get(SESSION)).status_code == 200
    refused = await client.get(SESSION, headers={"Authorization": "Bearer rpt_revoked-or-never-issued"})
    assert_problem(refused, 401)


async def test_an_unknown_or_expired_session_cookie_is_refused(client: Client, db: asyncpg.Connection) -> None:
    assert (await client.get(SESSION, headers={"Cookie": "rapport_session=made-up"})).status_code == 401
    assert (await client.post(SIGN_UP, json=sign_up_body())).status_code == 201
    await db.execute("UPDATE sessions SET expires_at = now() - interval '1 second'")
    assert_problem(await client.get(SESSION), 401, "unauthenticated")


async def test_public_routes_need_no_credentials(client: Client) -> None:
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/docs/openapi.json")).status_code == 200
    assert (await client.get("/", follow_redirects=False)).status_code in (200, 302, 307)  # the client, or the docs


async def test_the_api_documents_both_ways_to_authenticate(client: Client) -> None:
    document = (await client.get("/docs/openapi.json")).json()
    assert set(document["components"]["securitySchemes"]) == {"accessToken", "session"}
    operations = {op["operationId"]: op for path in document["paths"].values() for op in path.values()}
    assert {"SignUp", "SignIn", "GetSession", "SignOut", "SignOutEverywhere"} <= set(operations)
    assert "security" not in operations["SignIn"]
    assert {"accessToken": []} in operations["GetSession"]["security"]


# -- CSRF -----------------------------------------------------------------------------------------------


async def test_unsafe_cookie_requests_need_the_csrf_token(client: Client, db: asyncpg.Connection) -> None:
    csrf = (await client.post(SIGN_UP, json=sign_up_body())).json()["csrfToken"]
    missing = await client.post(TOKENS, json={"name": "forged"})
    assert_problem(missing, 403, "csrf")
    wrong = await client.post(TOKENS, json={"name": "forged"}, headers={"X-CSRF-Token": "guess" + csrf[5:]})
    assert_problem(wrong, 403, "csrf")
    not_ascii = await client.post(TOKENS, json={"name": "forged"}, headers=[(b"X-CSRF-Token", "é".encode())])
    assert_problem(not_ascii, 400, "malformed-header")  # refused at the edge, before any session is read
    assert_problem(await client.post(SIGN_OUT), 403, "csrf")
    assert_problem(await client.post(SIGN_OUT_EVERYWHERE), 403, "csrf")
    assert await db.fetchval("SELECT count(*) FROM access_tokens") == 0
    assert await db.fetchval("SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL") == 0

    # Safe methods need no token; with it, the unsafe ones go through.
    assert (await client.get(TOKENS)).status_code == 200
    made = await client.post(TOKENS, json={"name": "mine"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    token_id = made.json()["tokenId"]
    assert_problem(await client.delete(f"{TOKENS}/{token_id}"), 403, "csrf")
    assert len((await client.get(TOKENS)).json()) == 1


async def test_bearer_requests_skip_the_csrf_check(client: Client, student: Student) -> None:
    # Even with a session cookie in the jar: the token is what authenticates, and browsers never add it.
    assert (await client.post(SIGN_UP, json=sign_up_body())).status_code == 201
    response = await client.post(TOKENS, json={"name": "script"}, headers=student.headers)
    assert response.status_code == 201
    listed = await client.get(TOKENS, headers=student.headers)
    assert {t["name"] for t in listed.json()} == {"tests", "script"}


# -- sign-out -------------------------------------------------------------------------------------------


async def test_sign_out_ends_this_session(client: Client) -> None:
    signed_up = await client.post(SIGN_UP, json=sign_up_body())
    cookie = client.cookies["rapport_session"]
    response = await client.post(SIGN_OUT, headers={"X-CSRF-Token": signed_up.json()["csrfToken"]})
    assert response.status_code == 204
    cleared = session_cookie(response).lower()
    assert "max-age=0" in cleared
    assert "rapport_session" not in client.cookies
    # The old cookie is dead even if a client kept it.
    assert_problem(await client.get(SESSION, headers={"Cookie": f"rapport_session={cookie}"}), 401)


async def test_sign_out_everywhere_ends_every_session_but_keeps_tokens(database_url: str) -> None:
    # Two apps on one database, as two server processes would be.
    settings = settings_for_tests()
    async with (
        AsyncTestClient(app=create_app(settings, database_url)) as phone,
        AsyncTestClient(app=create_app(settings, database_url)) as laptop,
    ):
        student = await sign_up(phone)
        phone_csrf = await signed_in_csrf(phone, student.email)
        await signed_in_csrf(laptop, student.email)
        assert (await laptop.get(SESSION)).status_code == 200

        response = await phone.post(SIGN_OUT_EVERYWHERE, headers={"X-CSRF-Token": phone_csrf})
        assert response.status_code == 200
        # The sign-up session, the phone's sign-in and the laptop's sign-in.
        assert response.json() == {"revokedSessions": 3}
        assert_problem(await phone.get(SESSION), 401)
        assert_problem(await laptop.get(SESSION), 401)
        assert (await laptop.get(SESSION, headers=student.headers)).json()["via"] == "token"


async def test_signing_out_a_token_is_not_a_thing(client: Client, student: Student) -> None:
    response = await client.post(SIGN_OUT, headers=student.headers)
    assert_problem(response, 400, "not-a-session")
    assert (await client.get(SESSION, headers=student.headers)).status_code == 200


async def test_one_client_can_act_as_several_students(client: Client, student: Student, other_student: Student) -> None:
    mine = await client.get(SESSION, headers=student.headers)
    theirs = await client.get(SESSION, headers=other_student.headers)
    assert mine.json()["accountId"] == str(student.account_id)
    assert theirs.json()["accountId"] == str(other_student.account_id)
    assert mine.json()["csrfToken"] is None
    # sign_up left no cookie behind.
    assert_problem(await client.get(SESSION), 401)
