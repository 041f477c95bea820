"""The whole lifecycle of one relationship, tapped through on a phone, and the referral it leads to.

Add a contact, ask for an interview, record the answer, schedule, hold it (notes), thank them (with
the thing that helped), log who they referred: the referred person is a new contact, referred by the
first, whose own request is then recorded. The stage is checked on the contact's screen after each
step, and Today's agenda says what comes next along the way.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import TIME_ZONE, Api

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def stage(page: Page) -> Locator:
    return page.get_by_role("main").get_by_text(re.compile(r"^Stage: "))


def take_step(page: Page, button: str, verb: str) -> None:
    """Open a step's form with its button, and (after the caller filled it) nothing else: see `submit`."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("button", name=verb, exact=True)).to_be_visible()


def submit(page: Page, verb: str) -> None:
    page.get_by_role("button", name=verb, exact=True).click()
    expect(page.get_by_role("button", name=verb, exact=True)).to_be_hidden()


def agenda_item(page: Page, name: str) -> Locator:
    """Go to Today; the agenda's links for `name`."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    return page.get_by_role("main").get_by_role("link", name=re.compile(re.escape(name)))


def open_contact(page: Page, contact_id: str, name: str) -> None:
    page.goto(f"/#/contacts/{contact_id}")
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def test_a_relationship_from_first_contact_to_referral(page: Page, signed_in: Api) -> None:
    # Add the contact: a name and how they were found are enough.
    page.goto("/#/add")
    page.get_by_label("Name", exact=True).fill("Maya Chen")
    page.get_by_label("How you found them").select_option(label="Alumni network")
    page.get_by_label("Organization").fill("Blue River Labs")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", level=1, name="Maya Chen")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/contacts/[0-9a-f-]{36}$"))
    maya = page.url.rsplit("/", 1)[1]
    expect(stage(page)).to_have_text("Stage: Identified")

    # The request.
    take_step(page, "Ask for an interview", "Record request")
    submit(page, "Record request")
    expect(stage(page)).to_have_text("Stage: Requested")
    expect(agenda_item(page, "Maya Chen").first).to_be_visible()
    expect(agenda_item(page, "Maya Chen").filter(has_text="Follow up")).to_have_count(1)
    open_contact(page, maya, "Maya Chen")

    # They accepted; schedule it for tomorrow morning.
    take_step(page, "They answered", "Record answer")
    expect(page.get_by_label("Accepted")).to_be_checked()
    submit(page, "Record answer")
    take_step(page, "Schedule", "Schedule")
    tomorrow = (datetime.now(ZoneInfo(TIME_ZONE)) + timedelta(days=1)).replace(hour=10, minute=0)
    page.get_by_label("Starts at").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place or link").fill("https://meet.example/maya")
    submit(page, "Schedule")
    expect(stage(page)).to_have_text("Stage: Scheduled")
    expect(agenda_item(page, "Maya Chen").filter(has_text="Prepare")).to_have_count(1)
    open_contact(page, maya, "Maya Chen")

    # Held: the notes, right after.
    take_step(page, "Interview held", "Record interview")
    page.get_by_label("Notes", exact=True).fill("Started in QA, moved to data engineering after two years.")
    page.get_by_label("Key takeaways").fill("Learn SQL well; build one real pipeline.")
    page.get_by_label("+2: yes, I could").check()
    submit(page, "Record interview")
    expect(stage(page)).to_have_text("Stage: Interviewed")
    expect(agenda_item(page, "Maya Chen").filter(has_text="Send thanks")).to_have_count(1)
    open_contact(page, maya, "Maya Chen")

    # Thanks, naming what helped.
    take_step(page, "Send thanks", "Record thanks")
    page.get_by_label("What specifically helped").fill("the advice to build one real pipeline")
    submit(page, "Record thanks")
    expect(stage(page)).to_have_text("Stage: Thanked")

    # The referral: a new contact, referred by Maya.
    take_step(page, "Log a referral", "Record referral")
    page.get_by_label("Name").fill("Omar Haddad")
    page.get_by_label("Organization").fill("Blue River Labs")
    submit(page, "Record referral")
    expect(page.get_by_role("status")).to_contain_text("Omar Haddad was added to your contacts, referred by Maya Chen.")
    expect(page.get_by_role("region", name="Referred you to").get_by_role("link", name="Omar Haddad")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Referrer", exact=True)).to_be_visible()

    # Omar: identified, referred by Maya.
    page.get_by_role("link", name="Open Omar Haddad").click()
    expect(page.get_by_role("heading", level=1, name="Omar Haddad")).to_be_visible()
    expect(stage(page)).to_have_text("Stage: Identified")
    expect(page.get_by_role("main").get_by_role("link", name="Maya Chen")).to_be_visible()  # referred by
    omar = page.url.rsplit("/", 1)[1]
    # In the network, and on Today: reach out to him.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    row = page.get_by_role("main").get_by_role("listitem").filter(has_text="Omar Haddad")
    expect(row).to_contain_text("Identified")
    expect(agenda_item(page, "Omar Haddad").filter(has_text="Reach out")).to_have_count(1)
    open_contact(page, omar, "Omar Haddad")

    take_step(page, "Ask for an interview", "Record request")
    submit(page, "Record request")
    expect(stage(page)).to_have_text("Stage: Requested")

    # What the server recorded, in order, once each.
    assert signed_in.event_types(maya) == [
        "ContactAdded",
        "InterviewRequested",
        "RequestAnswered",
        "InterviewScheduled",
        "InterviewHeld",
        "ThanksSent",
        "ReferralReceived",
    ]
    assert signed_in.event_types(omar) == ["ContactAdded", "InterviewRequested"]
    detail = signed_in.contact(omar)
    assert detail["stage"] == "requested"
    assert detail["howFound"] == "referral"
    assert detail["referredBy"]["id"] == maya
    assert signed_in.contact(maya)["stage"] == "thanked"
