"""A phone without a connection: steps wait on it and are sent once, conflicts are shown, Today still opens.

Offline is the browser context's (`context.set_offline`), which the page sees as `navigator.onLine`
and the `online` event when it returns, as a phone does.
"""

import asyncio
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.a11y import accessibility_problems
from tests.e2e.conftest import Api, Server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REQUEST = {"channel": "email", "format": "video", "minutes": 20}


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def stage(page: Page) -> Locator:
    return page.get_by_role("main").get_by_text(re.compile(r"^Stage: "))


def pending(page: Page) -> Locator:
    """The bar of steps waiting to be sent (absent when nothing waits)."""
    return page.get_by_role("region", name="Waiting to be sent")


def open_contact(page: Page, contact_id: str, name: str) -> None:
    page.goto(f"/#/contacts/{contact_id}")
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    page.wait_for_load_state("networkidle")


def record(page: Page, button: str, verb: str, fields: dict[str, str] | None = None) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    for label, value in (fields or {}).items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name=verb, exact=True).click()
    expect(page.get_by_role("button", name=verb, exact=True)).to_be_hidden()


def scheduled_contact(api: Api, name: str) -> dict[str, object]:
    contact = api.add_contact(name, organization="Northwind Health", careerField="Health care")
    api.step(str(contact["id"]), "requests", {**REQUEST, "sentAt": ago(days=5)})
    api.step(str(contact["id"]), "answers", {"answer": "accepted"})
    return api.step(str(contact["id"]), "interviews", {"startsAt": ago(hours=2), "minutes": 30, "format": "video"})


def test_steps_recorded_offline_are_sent_once_when_back_online(
    page: Page, context: BrowserContext, signed_in: Api
) -> None:
    contact = scheduled_contact(signed_in, "Priya Natarajan")
    contact_id = str(contact["id"])
    open_contact(page, contact_id, "Priya Natarajan")
    expect(stage(page)).to_have_text("Stage: Scheduled")

    context.set_offline(True)
    record(page, "Interview held", "Record interview", {"Notes": "Nursing informatics is half clinical, half IT."})
    expect(page.get_by_role("status").filter(has_text="Saved on this phone")).to_be_visible()
    # The thank-you is offered at once, from the steps a held interview allows.
    record(page, "Send thanks", "Record thanks", {"What specifically helped": "the tour of the informatics team"})
    expect(pending(page)).to_contain_text("2 steps waiting to be sent")
    expect(page.get_by_role("main").get_by_text("Waiting to be sent", exact=True)).to_have_count(2)  # timeline
    assert signed_in.event_types(contact_id).count("InterviewHeld") == 0

    context.set_offline(False)  # the page hears `online` and sends what waits
    expect(pending(page)).to_have_count(0, timeout=15_000)

    types = Counter(signed_in.event_types(contact_id))
    assert types["InterviewHeld"] == 1, types
    assert types["ThanksSent"] == 1, types
    detail = signed_in.contact(contact_id)
    assert detail["stage"] == "thanked"
    assert detail["counts"]["interviewsHeld"] == 1
    assert detail["counts"]["thanks"] == 1
    assert detail["lastHelpfulThing"] == "the tour of the informatics team"

    page.reload()
    expect(page.get_by_role("heading", level=1, name="Priya Natarajan")).to_be_visible()
    expect(stage(page)).to_have_text("Stage: Thanked")
    expect(pending(page)).to_have_count(0)


@pytest.mark.parametrize("choice", ["Record it anyway", "Discard"])
def test_a_conflict_is_shown_and_the_student_decides(
    choice: str, page: Page, context: BrowserContext, signed_in: Api
) -> None:
    contact = signed_in.add_contact("Tomás Ruiz", organization="Civic Data Lab")
    contact_id = str(contact["id"])
    signed_in.step(contact_id, "requests", {**REQUEST, "sentAt": ago(days=4)})
    open_contact(page, contact_id, "Tomás Ruiz")
    expect(stage(page)).to_have_text("Stage: Requested")

    context.set_offline(True)
    record(page, "They answered", "Record answer", {"Note (optional)": "Happy to talk next week."})
    expect(pending(page)).to_contain_text("1 step waiting to be sent")
    # Meanwhile, on another device, the same contact changes.
    signed_in.step(contact_id, "notes", {"text": "Met at the career fair, table 12."})

    context.set_offline(False)
    bar = pending(page)
    expect(bar).to_contain_text("1 needs you", timeout=15_000)
    expect(bar).to_contain_text("This contact changed on another device")
    expect(bar.get_by_role("button", name="Record it anyway")).to_be_visible()
    expect(bar.get_by_role("button", name="Discard")).to_be_visible()
    assert "RequestAnswered" not in signed_in.event_types(contact_id)
    problems = accessibility_problems(page, "a contact with a conflict in the pending bar")
    assert not problems, "\n".join(problems)

    bar.get_by_role("button", name=choice).click()
    expect(pending(page)).to_have_count(0, timeout=15_000)
    types = Counter(signed_in.event_types(contact_id))
    assert types["NoteAdded"] == 1, types
    if choice == "Record it anyway":
        assert types["RequestAnswered"] == 1, types
        assert signed_in.contact(contact_id)["request"]["answer"] == "accepted"
    else:
        assert types["RequestAnswered"] == 0, types
        assert signed_in.contact(contact_id)["request"]["answer"] is None


def test_today_opens_offline_from_the_service_worker(page: Page, context: BrowserContext, signed_in: Api) -> None:
    contact = signed_in.add_contact("Lena Fischer", organization="Harbor Analytics")
    signed_in.step(str(contact["id"]), "requests", {**REQUEST, "sentAt": ago(days=10)})

    # The first visit, online: the service worker installs and keeps the app and what it read.
    page.goto("/#/")
    expect(page.get_by_role("main").get_by_role("link", name=re.compile("Lena Fischer")).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(
        "() => Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((ok) => setTimeout(() => ok(false), 10000))])"
    ), "no service worker became active after the first visit"

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name=re.compile("Lena Fischer")).first).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.controller !== null")


# The keys of the steps waiting on this phone, read from the outbox's IndexedDB store.
WAITING_KEYS = """() => new Promise((resolve, reject) => {
  const opened = indexedDB.open("rapport-outbox");
  opened.onerror = () => reject(opened.error);
  opened.onsuccess = () => {
    const all = opened.result.transaction("entries").objectStore("entries").getAll();
    all.onsuccess = () => resolve(all.result.map((e) => e.key));
    all.onerror = () => reject(all.error);
  };
})"""


@contextmanager
def key_in_progress(database_url: str, account_id: str, key: str) -> Iterator[None]:
    """Hold the lock a request with this Idempotency-Key holds while it runs (backend/web/idempotency.py),
    as if the first sending of the step were still being recorded."""
    taken, release, done = threading.Event(), threading.Event(), threading.Event()

    async def hold() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", account_id, key)
                taken.set()
                await asyncio.to_thread(release.wait)
        finally:
            await conn.close()
            done.set()

    thread = threading.Thread(target=asyncio.run, args=(hold(),), daemon=True)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        release.set()
        assert done.wait(10)


def test_a_step_still_being_recorded_waits_and_is_never_offered_for_discarding(
    page: Page, context: BrowserContext, signed_in: Api, e2e_server: Server
) -> None:
    contact = signed_in.add_contact("Lena Park", organization="Civic Data Lab")
    contact_id = str(contact["id"])
    signed_in.step(contact_id, "requests", {**REQUEST, "sentAt": ago(days=4)})
    open_contact(page, contact_id, "Lena Park")

    context.set_offline(True)
    record(page, "They answered", "Record answer", {"Note (optional)": "Happy to talk next week."})
    expect(pending(page)).to_contain_text("1 step waiting to be sent")
    [key] = page.evaluate(WAITING_KEYS)
    account = str(signed_in.get("/api/v1/me")["studentId"])

    with key_in_progress(e2e_server.database_url, account, key):
        with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 409) as answered:
            context.set_offline(False)
        assert answered.value.json()["type"].endswith("/request-in-progress")
        bar = pending(page)
        expect(bar).to_contain_text("1 step waiting to be sent")
        expect(bar).not_to_contain_text("needs you")
        expect(bar.get_by_role("button", name="Discard")).to_have_count(0)
        assert "RequestAnswered" not in signed_in.event_types(contact_id)

    # The first sending "ends" without recording it; the phone asks again after Retry-After, once.
    expect(pending(page)).to_have_count(0, timeout=15_000)
    assert Counter(signed_in.event_types(contact_id))["RequestAnswered"] == 1
    assert signed_in.contact(contact_id)["request"]["answer"] == "accepted"
