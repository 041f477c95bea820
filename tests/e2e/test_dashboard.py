"""The advisor dashboard in a real browser, and a student's Advisor access settings.

An advisor with two consenting students who are busy (one `summary`, one `notes`, each with a
referral) and a third who has recorded no one yet, set up through the REST API as the students
themselves would (advisor sign-up, grants by email), signs in and sees the cohort, who needs
attention and why (the third; and the `summary` student, who never thanked the person they met),
and each student's page within its scope (referral chains with names only under `notes`), at a
phone's and a laptop's viewport; axe finds nothing on the dashboard and a student's page, light and
dark. Then a student grants, changes and revokes an advisor's access from Settings, and sees the
advisor's looks in words.
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.a11y import accessibility_problems
from tests.e2e.conftest import PASSWORD, PHONE, TIMEOUT_MS, Api, Server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LAPTOP: dict[str, Any] = {
    **{k: v for k, v in PHONE.items() if k not in ("viewport", "device_scale_factor", "is_mobile", "has_touch")},
    "viewport": {"width": 1280, "height": 800},
}


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


@dataclass
class Advisor:
    email: str
    cookie: str
    csrf: str
    http: httpx.Client

    @classmethod
    def sign_up(cls, base: str, name: str = "Morgan Advisor") -> "Advisor":
        http = httpx.Client(base_url=base, timeout=15)
        email = f"advisor-{uuid.uuid4().hex[:10]}@example.edu"
        response = http.post(
            "/api/v1/auth/advisor-sign-up", json={"email": email, "password": PASSWORD, "displayName": name}
        )
        assert response.status_code == 201, response.text
        return cls(email, str(http.cookies["rapport_session"]), response.json()["csrfToken"], http)

    def sign_in(self, context: BrowserContext, base: str) -> None:
        context.add_cookies([{"name": "rapport_session", "value": self.cookie, "url": base}])


@dataclass(frozen=True)
class Cohort:
    advisor: Advisor
    notes: Api  # shares names and notes
    summary: Api  # shares counts only
    quiet: Api  # shares counts, has recorded no one: needs attention


def grant(student: Api, advisor: Advisor, scope: str) -> None:
    student.post("/api/v1/me/advisors", {"email": advisor.email, "scope": scope})


@pytest.fixture(scope="module")
def cohort(e2e_server: Server) -> Iterator[Cohort]:
    advisor = Advisor.sign_up(e2e_server.url)
    request = {"channel": "email", "format": "video", "minutes": 20}
    notes = Api(e2e_server.url).sign_up("Nora Notes")
    dana = notes.add_contact("Dana Reyes", organization="Harbor Analytics", title="Data engineer", careerField="Data")
    notes.step(dana["id"], "requests", {**request, "sentAt": ago(days=10)})
    notes.step(dana["id"], "referrals", {"name": "Eli Park", "organization": "Harbor Analytics"})
    summary = Api(e2e_server.url).sign_up("Sid Summary")
    pat = summary.add_contact("Pat Quill", organization="Secret Studio", careerField="Design")
    summary.step(pat["id"], "requests", {**request, "sentAt": ago(days=12)})
    # Met Pat a week ago, and never thanked them: a reason to need attention though active.
    met = summary.step(pat["id"], "interviews", {"startsAt": ago(days=7), "minutes": 20, "format": "video"})
    summary.step(pat["id"], "held", {"interviewId": met["interviews"][0]["id"], "heldAt": ago(days=7)})
    summary.step(pat["id"], "referrals", {"name": "Quinn Hidden"})
    quiet = Api(e2e_server.url).sign_up("Theo Quiet")
    grant(notes, advisor, "notes")
    grant(summary, advisor, "summary")
    grant(quiet, advisor, "summary")
    yield Cohort(advisor, notes, summary, quiet)
    for api in (notes, summary, quiet):
        api.close()
    advisor.http.close()


def settle(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("[aria-busy='true']")).to_have_count(0)
    page.wait_for_load_state("networkidle")


def open_dashboard(page: Page) -> None:
    page.goto("/#/")
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Your cohort")).to_be_visible()
    settle(page)


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_advisor_sees_cohort_and_each_student_within_scope(
    viewport: str, cohort: Cohort, browser: Browser, e2e_server: Server
) -> None:
    context = browser.new_context(base_url=e2e_server.url, **(PHONE if viewport == "phone" else LAPTOP))
    context.set_default_timeout(TIMEOUT_MS)
    try:
        cohort.advisor.sign_in(context, e2e_server.url)
        page = context.new_page()
        open_dashboard(page)
        main = page.get_by_role("main")
        # The advisor's own tabs, not a student's.
        tabs = page.get_by_role("navigation", name="Main")
        for tab in ("Dashboard", "Students", "Settings"):
            expect(tabs.get_by_role("link", name=tab)).to_be_visible()
        expect(tabs.get_by_role("link", name="Contacts")).to_have_count(0)
        # The cohort: its figures, and its charts with their text alternatives.
        expect(main.locator(".figure", has_text="Students").locator(".value")).to_have_text("3")
        expect(main.get_by_role("img", name=re.compile(r"Contacts by stage, 4 contacts in all"))).to_be_visible()
        weeks_chart = re.compile(r"Steps recorded across all your students \(3\), 12 weeks")
        expect(main.get_by_role("img", name=weeks_chart)).to_be_visible()
        # Who needs attention, with the reason: the student who has recorded no one, then the one who
        # forgot a thank-you note.
        attention = main.get_by_role("list", name="Students needing attention")
        expect(attention.get_by_role("link")).to_have_count(2)
        expect(attention.get_by_role("link").first).to_contain_text("Theo Quiet")
        expect(attention.get_by_role("link", name=re.compile("Theo Quiet"))).to_contain_text(
            "Has not recorded anyone yet"
        )
        expect(attention.get_by_role("link", name=re.compile("Sid Summary"))).to_contain_text(
            "Did not send a thank-you note within 2 business days"
        )
        students = main.get_by_role("list", name="Your students")
        expect(students.get_by_role("link")).to_have_count(3)
        if viewport == "laptop":
            # The wider grid: the funnel and the weekly activity side by side.
            funnel = main.get_by_role("heading", name="Funnel").bounding_box()
            weekly = main.get_by_role("heading", name="Weekly activity").bounding_box()
            assert funnel
            assert weekly
            assert abs(funnel["y"] - weekly["y"]) < 2
            assert weekly["x"] > funnel["x"]

        # The `notes` student: contacts by name, and their history.
        students.get_by_role("link", name=re.compile("Nora Notes")).click()
        expect(page.get_by_role("heading", level=1, name="Nora Notes")).to_be_visible()
        settle(page)
        expect(main.get_by_text("shares names, notes and history")).to_be_visible()
        expect(main.get_by_role("heading", name="Dana Reyes")).to_be_visible()
        expect(main.get_by_text("Harbor Analytics").first).to_be_visible()
        chains = main.get_by_role("list", name="Referral chains")
        expect(chains.get_by_role("listitem").filter(has_text="Dana Reyes").get_by_role("list")).to_contain_text(
            "Eli Park"
        )

        # The `summary` student: counts only, said plainly, and no names.
        page.get_by_role("link", name="← Dashboard").click()
        expect(page.get_by_role("heading", name="Your cohort")).to_be_visible()
        main.get_by_role("list", name="Your students").get_by_role("link", name=re.compile("Sid Summary")).click()
        expect(page.get_by_role("heading", level=1, name="Sid Summary")).to_be_visible()
        settle(page)
        expect(main.get_by_text("shares counts only")).to_be_visible()
        expect(main.get_by_role("heading", name="Requests sent").or_(main.get_by_text("Requests sent"))).to_be_visible()
        expect(main.get_by_role("heading", name="Contacts")).to_have_count(0)
        # The chain is there (Pat referred someone), its people unnamed.
        chains = main.get_by_role("list", name="Referral chains")
        expect(chains.get_by_role("listitem")).to_have_count(2)
        expect(chains).to_contain_text("Someone")
        content = page.content()
        for name in ("Pat Quill", "Secret Studio", "Quinn Hidden"):
            assert name not in content, name
    finally:
        context.close()


def test_every_read_is_shown_to_the_student(cohort: Cohort) -> None:
    """The advisor's look at the notes student's page above is in that student's audit of reads."""
    reads = cohort.notes.get("/api/v1/me/advisor-reads")["items"]
    assert any(r["email"] == cohort.advisor.email for r in reads), reads


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", ["dashboard", "student", "settings"])
def test_advisor_screens_are_accessible(
    screen: str, scheme: str, *, cohort: Cohort, context: BrowserContext, page: Page, e2e_server: Server
) -> None:
    cohort.advisor.sign_in(context, e2e_server.url)
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    open_dashboard(page)
    if screen == "student":
        page.get_by_role("list", name="Your students").get_by_role("link", name=re.compile("Nora Notes")).click()
        expect(page.get_by_role("heading", name="Dana Reyes")).to_be_visible()
        settle(page)
    elif screen == "settings":
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        expect(page.get_by_role("heading", name="Invite codes")).to_be_visible()
        settle(page)
    problems = accessibility_problems(page, f"advisor {screen} ({scheme})")
    assert not problems, "\n".join(problems)


def test_advisor_without_students_sees_how_to_get_them(context: BrowserContext, page: Page, e2e_server: Server) -> None:
    advisor = Advisor.sign_up(e2e_server.url, "Ada Empty")
    try:
        advisor.sign_in(context, e2e_server.url)
        page.goto("/#/")
        main = page.get_by_role("main")
        expect(main.get_by_text("No students have shared their progress with you yet.")).to_be_visible()
        expect(main.get_by_text(advisor.email)).to_be_visible()
        main.get_by_role("button", name="Make an invite code").click()
        expect(main.locator(".invite-code")).to_have_count(1)
        codes = advisor.http.get("/api/v1/advisor/invite-codes").json()["items"]
        assert [c["code"] for c in codes] == [main.locator(".invite-code").inner_text()]
    finally:
        advisor.http.close()


def test_advisor_sign_up_from_the_sign_up_screen(page: Page) -> None:
    page.goto("/#/sign-up")
    page.get_by_role("link", name="I'm an advisor").click()
    expect(page.get_by_role("heading", level=1, name="Create an advisor account")).to_be_visible()
    problems = accessibility_problems(page, "advisor sign-up")
    assert not problems, "\n".join(problems)
    page.get_by_label("Your name").fill("Ari Advisor")
    page.get_by_label("Work email").fill(f"advisor-{uuid.uuid4().hex[:10]}@example.edu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create advisor account").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    expect(page.get_by_text("No students have shared their progress with you yet.")).to_be_visible()


def test_student_grants_changes_and_revokes_advisor_access(signed_in: Api, page: Page, e2e_server: Server) -> None:
    advisor = Advisor.sign_up(e2e_server.url, "Gale Grant")
    try:
        page.goto("/#/settings")
        section = page.get_by_role("region", name="Advisor access")
        expect(section.get_by_text("No advisor has access to your data.")).to_be_visible()

        section.get_by_label("Advisor's email").fill(advisor.email)
        section.get_by_label("What they may see").select_option("summary")
        section.get_by_role("button", name="Grant access").click()
        listed = section.get_by_role("list", name="Advisors with access")
        expect(listed.get_by_text("Gale Grant", exact=True)).to_be_visible()
        assert [(a["email"], a["scope"]) for a in signed_in.get("/api/v1/me/advisors")["items"]] == [
            (advisor.email, "summary")
        ]

        listed.get_by_label("What Gale Grant may see").select_option("notes")
        expect(section.get_by_text(re.compile("Gale Grant now sees"))).to_be_visible()
        assert [a["scope"] for a in signed_in.get("/api/v1/me/advisors")["items"]] == ["notes"]

        # The advisor looks; the student sees the look.
        assert (
            advisor.http.post(
                "/graphql",
                json={"query": "{ cohort { students } }"},
                headers={"X-CSRF-Token": advisor.csrf},
            ).json()["data"]["cohort"]["students"]
            == 1
        )
        page.reload()
        section = page.get_by_role("region", name="Advisor access")
        section.get_by_text("Who looked at what, when").click()
        looks = section.get_by_role("list", name="Advisor reads")
        expect(looks.get_by_role("listitem").first).to_contain_text("Gale Grant looked at your place in their cohort")

        listed = section.get_by_role("list", name="Advisors with access")
        listed.get_by_role("button", name="Revoke access").click()
        listed.get_by_role("button", name="Yes, revoke Gale Grant's access").click()
        expect(section.get_by_text("No advisor has access to your data.")).to_be_visible()
        assert signed_in.get("/api/v1/me/advisors")["items"] == []
        problems = accessibility_problems(page, "settings with advisor access")
        assert not problems, "\n".join(problems)
    finally:
        advisor.http.close()
