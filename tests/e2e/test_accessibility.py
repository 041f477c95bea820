"""Every screen passes axe (WCAG 2.0/2.1 A and AA, 2.2 AA) in light and dark, with touch-sized targets.

axe-core (client/node_modules/axe-core) is injected into the page and run on the whole document once
the screen has loaded. Touch targets: every visible button, link and form control in the header,
main and the tab bar is at least 44x44 CSS pixels (a checkbox or radio button is measured by its
label, which is what a finger taps); links inside a sentence are excepted, as WCAG 2.5.8 allows.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.a11y import accessibility_problems
from tests.e2e.conftest import Api, Server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


@dataclass(frozen=True)
class Network:
    """A student whose Today, Contacts and Insights have something in them."""

    api: Api
    scheduled: str  # a contact with an interview scheduled: its step forms have something to show
    scheduled_interview: str


@pytest.fixture(scope="module")
def network(e2e_server: Server) -> Iterator[Network]:
    api = Api(e2e_server.url).sign_up("Alex Axe")
    request = {"channel": "email", "format": "video", "minutes": 20}
    # Asked ten days ago, no answer: a follow-up is overdue.
    ana = api.add_contact("Ana Lee", organization="Harbor Analytics", title="Data engineer", careerField="Data")
    api.step(ana["id"], "requests", {**request, "sentAt": ago(days=10)})
    # Accepted, the interview is tomorrow: prepare for it.
    ben = api.add_contact("Ben Ortiz", "professor", organization="City Hospital", careerField="Health care")
    api.step(ben["id"], "requests", {**request, "sentAt": ago(days=3)})
    api.step(ben["id"], "answers", {"answer": "accepted"})
    ben = api.step(ben["id"], "interviews", {"startsAt": ago(days=-1), "minutes": 30, "format": "video"})
    # Held yesterday, no thanks yet: send thanks, log who they suggested.
    cleo = api.add_contact("Cleo Park", "linkedin", organization="Studio North", careerField="Design")
    api.step(cleo["id"], "requests", {**request, "sentAt": ago(days=6)})
    api.step(cleo["id"], "answers", {"answer": "accepted"})
    cleo = api.step(cleo["id"], "interviews", {"startsAt": ago(days=2), "minutes": 30, "format": "in_person"})
    api.step(
        cleo["id"],
        "held",
        {"interviewId": cleo["interviews"][0]["id"], "notes": "Portfolio reviews matter more than degrees."},
    )
    # Thanked, and referred someone who has not been contacted yet.
    dev = api.add_contact("Dev Rao", "career_office", organization="Harbor Analytics", careerField="Data")
    api.step(dev["id"], "requests", {**request, "sentAt": ago(days=20)})
    api.step(dev["id"], "answers", {"answer": "accepted"})
    dev = api.step(dev["id"], "interviews", {"startsAt": ago(days=15), "minutes": 20, "format": "phone"})
    interview = dev["interviews"][0]["id"]
    api.step(dev["id"], "held", {"interviewId": interview, "notes": "Start with SQL; the rest follows."})
    api.step(dev["id"], "thanks", {"interviewId": interview, "helpfulThing": "the advice to start with SQL"})
    api.step(dev["id"], "referrals", {"name": "Eve Stone", "organization": "Harbor Analytics"})
    yield Network(api=api, scheduled=ben["id"], scheduled_interview=ben["interviews"][0]["id"])
    api.close()


def settle(page: Page) -> None:
    """The screen has its heading and has finished loading what it shows."""
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("[aria-busy='true']")).to_have_count(0)
    page.wait_for_load_state("networkidle")


# -- the screens ------------------------------------------------------------------------------------


SCREENS = ["sign-in", "sign-up", "today", "contacts", "add-contact", "contact-step-form", "insights", "settings"]
SIGNED_OUT = {"sign-in", "sign-up"}


def visit(page: Page, screen: str, network: Network) -> None:
    """Open the screen and wait for what it shows."""
    main = page.get_by_role("main")
    if screen in SIGNED_OUT:
        page.goto(f"/#/{screen}")
    elif screen == "today":
        page.goto("/#/")
        expect(main.get_by_role("link", name=re.compile("Ana Lee")).first).to_be_visible()
    elif screen == "contacts":
        page.goto("/#/contacts")
        expect(main.get_by_role("link", name=re.compile("Ana Lee"))).to_be_visible()
    elif screen == "add-contact":
        page.goto("/#/add")
    elif screen == "contact-step-form":
        page.goto(f"/#/contacts/{network.scheduled}/held")
        expect(main.locator("form")).to_be_visible()
    else:
        page.goto(f"/#/{screen}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_is_accessible(screen: str, scheme: str, network: Network, context: BrowserContext, page: Page) -> None:
    if screen not in SIGNED_OUT:
        network.api.sign_in(context)
    page.emulate_media(color_scheme="dark" if scheme == "dark" else "light")
    visit(page, screen, network)
    settle(page)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")

    problems = accessibility_problems(page, f"{screen} ({scheme})")
    assert not problems, "\n".join(problems)
