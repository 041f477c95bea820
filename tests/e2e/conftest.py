"""Browser tests: the built client (client/dist), served by the real server, in Debian's Chromium.

One server per session (tests/live_server.py, as tests/api/test_schemathesis.py has: `python -m
backend.cli serve` in a subprocess, on a free port, against a fresh database cloned from the migrated
template), one browser per module (Playwright's sync API, bench.browser's Chromium and flags: Debian's
at /usr/bin/chromium, or CHROME_PATH), a fresh phone-sized context and page per test. When a test
fails, a full-page screenshot of its page is saved to tests/e2e/artifacts/<test name>.png and its
browser console is added to the report.

Playwright's sync API marks its own event loop as running in this thread while it is started, so
the browser lives for one module at a time (tests after these may use asyncio again), and the
database work of the server (tests/live_server.py) runs in a thread of its own.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from bench.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.live_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[2]
DIST_INDEX = ROOT / "client" / "dist" / "index.html"
AXE = ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

TIME_ZONE = "America/New_York"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "service_workers": "allow",
    "locale": "en-US",
    "timezone_id": TIME_ZONE,
}
TIMEOUT_MS = 10_000
PASSWORD = "correct horse battery staple"


def prerequisites() -> None:
    """Fail (never skip) when the browser or the client's build is missing, saying how to get them."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM}: `apt-get install chromium` (`make test` installs it)")
    if not DIST_INDEX.is_file():
        missing.append(
            f"the client's build ({DIST_INDEX.relative_to(ROOT)}): `npm ci --prefix client && (cd client && npx vite"
            " build)` (`make test` builds it)"
        )
    if not AXE.is_file():
        missing.append(f"axe-core ({AXE.relative_to(ROOT)}): `npm ci --prefix client` (`make test` installs it)")
    if missing:
        pytest.fail("The browser tests need " + "; and ".join(missing), pytrace=False)


# The session's server: its url, and the database_url of the database it serves.
Server = LiveServer


@pytest.fixture(scope="session")
def e2e_server(pg_server: Any, template_url: str) -> Iterator[Server]:
    prerequisites()
    ARTIFACTS.mkdir(exist_ok=True)
    with live_server(pg_server) as server:
        index = httpx.get(f"{server.url}/", timeout=5)
        if 'id="app"' not in index.text:
            pytest.fail(f"the server does not serve the client's build at / ({index.status_code}): build the client")
        yield server


@pytest.fixture(scope="module")
def playwright(e2e_server: Server) -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
    yield launched
    launched.close()


# -- a context and a page per test, and what a failure keeps ---------------------------------------

PAGE = pytest.StashKey[Page]()
CONSOLE = pytest.StashKey[list[str]]()


def _artifact(name: str) -> Path:
    return ARTIFACTS / (re.sub(r"[^\w.\-\[\]]+", "_", name)[:150] + ".png")


@pytest.fixture
def context(browser: Browser, e2e_server: Server) -> Iterator[BrowserContext]:
    created = browser.new_context(base_url=e2e_server.url, **PHONE)
    created.set_default_timeout(TIMEOUT_MS)
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Page:
    opened = context.new_page()
    log: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            log.append(f"console.{message.type}: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: log.append(f"page error: {error}"))
    request.node.stash[PAGE] = opened
    request.node.stash[CONSOLE] = log
    _artifact(request.node.name).unlink(missing_ok=True)
    return opened


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed and report.when in ("setup", "call"):
        page = item.stash.get(PAGE, None)
        if page is not None and not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            path = _artifact(item.name)
            try:
                page.screenshot(path=path, full_page=True, timeout=5_000)
                report.sections.append(("screenshot", f"{path} (of {page.url})"))
            except Exception as error:  # a screenshot must never hide the failure itself
                report.sections.append(("screenshot", f"could not be taken: {error}"))
        log = item.stash.get(CONSOLE, None)
        if log:
            report.sections.append(("browser console", "\n".join(log[-50:])))
    return report


# -- the API, as another device of the same student ------------------------------------------------


@dataclass
class Api:
    """A student's session over HTTP (httpx): set-up before a journey, and checks after it."""

    base: str
    email: str = field(default_factory=lambda: f"e2e-{uuid.uuid4().hex[:10]}@example.edu")
    http: httpx.Client = field(init=False)
    csrf: str = ""
    cookie: str = ""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base, timeout=15)

    def sign_up(self, display_name: str = "Sam Student") -> "Api":
        body = {
            "email": self.email,
            "password": PASSWORD,
            "displayName": display_name,
            "timeZone": TIME_ZONE,
            "country": "US",
        }
        response = self.http.post("/api/v1/auth/sign-up", json=body)
        assert response.status_code == 201, response.text
        self.csrf = response.json()["csrfToken"]
        self.cookie = str(self.http.cookies["rapport_session"])
        return self

    def sign_in(self, context: BrowserContext) -> None:
        """Give the browser this session's cookie."""
        context.add_cookies([{"name": "rapport_session", "value": self.cookie, "url": self.base}])

    def post(self, path: str, body: dict[str, Any], version: int | None = None) -> dict[str, Any]:
        headers = {"X-CSRF-Token": self.csrf, "Idempotency-Key": str(uuid.uuid4())}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        response = self.http.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), f"POST {path}: {response.status_code} {response.text}"
        return dict(response.json())

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def add_contact(self, name: str, how_found: str = "alumni", **body: Any) -> dict[str, Any]:
        return self.post("/api/v1/contacts", {"name": name, "howFound": how_found, **body})

    def step(self, contact_id: str, path: str, body: dict[str, Any], version: int | None = None) -> dict[str, Any]:
        return self.post(f"/api/v1/contacts/{contact_id}/{path}", body, version)

    def contact(self, contact_id: str) -> dict[str, Any]:
        return dict(self.get(f"/api/v1/contacts/{contact_id}"))

    def history(self, contact_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get(
                f"/api/v1/contacts/{contact_id}/history", limit=100, **({"cursor": cursor} if cursor else {})
            )
            items += page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return items

    def event_types(self, contact_id: str) -> list[str]:
        return [str(item["type"]) for item in self.history(contact_id)]

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def api(e2e_server: Server) -> Iterator[Api]:
    """A new student, signed up through the API (not yet in the browser: `api.sign_in(context)`)."""
    student = Api(e2e_server.url).sign_up()
    yield student
    student.close()


@pytest.fixture
def signed_in(api: Api, context: BrowserContext, page: Page) -> Api:
    """The `api` student, also signed in in the test's browser context."""
    api.sign_in(context)
    return api
