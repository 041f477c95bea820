"""Security headers on every kind of page the app serves, read off real responses: the web client, its
assets and service worker, the API's JSON and problems, the docs, GraphiQL and GraphQL answers.

The values are written out in full here, so a change to a policy shows up as a change to this file.
"""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.web.client import CLIENT_DIST
from tests.api.conftest import Client, Student
from tests.conftest import settings_for_tests

pytestmark = pytest.mark.api

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "xr-spatial-tracking=()",
}
LOCKED = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
CLIENT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; " + LOCKED
)
API_CSP = "default-src 'none'; form-action 'none'; " + LOCKED
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; "
    "font-src https://cdn.jsdelivr.net https://fonts.scalar.com data:; img-src 'self' data: https://cdn.jsdelivr.net; "
    "connect-src 'self'; form-action 'self'; " + LOCKED
)
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'nonce-{nonce}' https://unpkg.com; style-src 'unsafe-inline' https://unpkg.com; "
    "font-src https://unpkg.com data:; img-src 'self' data:; connect-src 'self'; form-action 'none'; " + LOCKED
)
HSTS = "max-age=31536000; includeSubDomains"


def assert_headers(response: httpx.Response, csp: str, *, https: bool = False) -> None:
    where = (response.request.method, response.request.url.path, response.status_code)
    for name, value in EVERYWHERE.items():
        assert response.headers.get_list(name) == [value], (where, name, response.headers.get_list(name))
    assert response.headers.get_list("content-security-policy") == [csp], where
    assert response.headers.get_list("strict-transport-security") == ([HSTS] if https else []), where


def built_client() -> tuple[str, str]:
    """The built client's entry script and stylesheet (`make test` builds it first)."""
    if not (CLIENT_DIST / "index.html").is_file():
        pytest.fail("client/dist is missing: `make test` builds the client first (cd client && npm run build)")
    assets = sorted(p.name for p in (CLIENT_DIST / "assets").iterdir())
    return (
        next(f"/assets/{a}" for a in assets if a.startswith("index-") and a.endswith(".js")),
        next(f"/assets/{a}" for a in assets if a.startswith("index-") and a.endswith(".css")),
    )


async def every_kind_of_page(client: Client, student: Student, *, https: bool = False) -> None:
    script, stylesheet = built_client()
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert_headers(page, CLIENT_CSP, https=https)
    for path in [script, stylesheet, "/sw.js", "/manifest.webmanifest", "/icon-192.png"]:
        asset = await client.get(path)
        assert asset.status_code == 200, path
        assert_headers(asset, CLIENT_CSP, https=https)  # sw.js: a service worker runs under its own script's policy

    me = await client.get("/api/v1/me", headers=student.headers)
    assert me.status_code == 200
    assert me.headers["content-type"].startswith("application/json")
    assert_headers(me, API_CSP, https=https)
    health = await client.get("/health")
    assert health.status_code == 200
    assert_headers(health, API_CSP, https=https)

    for refused in [
        await client.get("/api/v1/me"),  # 401 from the authentication middleware
        await client.get(f"/api/v1/contacts/{'0' * 8}-0000-4000-8000-{'0' * 12}", headers=student.headers),  # 404
        await client.post("/api/v1/contacts", content=b'{"name": "\xff"}', headers=student.headers),  # 400 at the edge
    ]:
        assert refused.status_code in {400, 401, 404}
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert_headers(refused, API_CSP, https=https)

    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert_headers(docs, DOCS_CSP, https=https)
    schema = await client.get("/docs/openapi.json")
    assert schema.status_code == 200
    assert_headers(schema, API_CSP, https=https)

    graphiql = await client.get("/graphql", headers={**student.headers, "Accept": "text/html"})
    assert graphiql.status_code == 200
    assert graphiql.headers["content-type"].startswith("text/html")
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", graphiql.text)
    nonces = {re.fullmatch(r' nonce="([\w-]+)"', attributes).group(1) for attributes in inline}  # type: ignore[union-attr]
    assert len(inline) == 1, inline  # its one inline script
    assert len(nonces) == 1, inline  # runs by nonce
    assert_headers(graphiql, GRAPHIQL_CSP.format(nonce=nonces.pop()), https=https)
    again = await client.get("/graphql", headers={**student.headers, "Accept": "text/html"})
    assert again.headers["content-security-policy"] != graphiql.headers["content-security-policy"]  # a new nonce

    answer = await client.post("/graphql", json={"query": "{ me { id } }"}, headers=student.headers)
    assert answer.status_code == 200
    assert answer.json()["data"]["me"]["id"] == str(student.account_id)
    assert_headers(answer, API_CSP, https=https)


async def test_every_kind_of_page_has_its_security_headers(client: Client, student: Student) -> None:
    await every_kind_of_page(client, student)


@pytest.fixture
async def https_client(database_url: str) -> AsyncIterator[Client]:
    app: Litestar = create_app(settings_for_tests(), database_url)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as test_client:
        yield test_client


async def test_over_https_every_response_also_has_hsts(https_client: Client) -> None:
    from tests.api.conftest import sign_up

    await every_kind_of_page(https_client, await sign_up(https_client), https=True)


def test_the_built_client_has_nothing_inline() -> None:
    """What the client's policy forbids, its build must not need: no inline script, style or handler."""
    built_client()
    for page in [CLIENT_DIST / "index.html", *CLIENT_DIST.glob("*.html")]:
        html = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page
        assert "<style" not in html, page
        assert not re.search(r"\s(style|on\w+)=", html), page
