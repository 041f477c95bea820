"""Today's links land where they say: the action item tapped, the organization to look in, a typed URL.

- "Mark done" on one of several open promises opens the form with that promise chosen, and marking it
  done completes that one (not the first).
- "Find someone else there" (a request unanswered for 3 business days) opens Add with the contact's
  organization filled in.
- A typed or shared #/add?… URL is routed to Add, pre-filled from its query.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import TIME_ZONE, Api

pytestmark = pytest.mark.e2e


def today() -> datetime:
    return datetime.now(ZoneInfo(TIME_ZONE))


def test_mark_done_opens_with_the_tapped_promise_chosen(page: Page, signed_in: Api) -> None:
    ana = signed_in.add_contact("Ana Lee")["id"]
    due = (today() - timedelta(days=1)).date().isoformat()
    first = signed_in.step(ana, "action-items", {"what": "Read her book", "due": due})
    second = signed_in.step(ana, "action-items", {"what": "Join the society", "due": due})
    ids = {item["what"]: item["id"] for item in second["actionItems"]}
    assert len(first["actionItems"]) == 1
    assert len(ids) == 2

    page.goto("/#/")
    link = page.get_by_role("main").get_by_role("link", name=re.compile("Join the society"))
    expect(link).to_contain_text("Mark done")
    link.click()
    expect(page).to_have_url(re.compile(rf"#/contacts/{ana}/complete_action_item/{ids['Join the society']}$"))
    expect(page.get_by_role("radio", name=re.compile("Join the society"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile("Read her book"))).not_to_be_checked()
    page.get_by_role("button", name="Mark done", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Done\. Let Ana Lee know"))).to_be_visible()

    done = {item["what"]: item["completedAt"] for item in signed_in.contact(ana)["actionItems"]}
    assert done["Join the society"] is not None
    assert done["Read her book"] is None


def test_find_someone_else_there_opens_add_with_the_organization(page: Page, signed_in: Api) -> None:
    maya = signed_in.add_contact("Maya Chen", organization="Blue River Labs")["id"]
    sent = (today() - timedelta(days=6)).isoformat()
    signed_in.step(maya, "requests", {"channel": "email", "format": "video", "sentAt": sent})

    page.goto("/#/")
    link = page.get_by_role("main").get_by_role("link", name=re.compile("Find someone else there"))
    expect(link).to_contain_text("Maya Chen")
    link.click()
    expect(page.get_by_role("heading", level=1, name="Add a contact")).to_be_visible()
    expect(page.get_by_label("Organization")).to_have_value("Blue River Labs")


def test_a_typed_add_url_is_routed_and_prefilled(page: Page, signed_in: Api) -> None:
    page.goto("/#/add?name=Rita%20Moss&organization=Acme")
    expect(page.get_by_role("heading", level=1, name="Add a contact")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Rita Moss")
    expect(page.get_by_label("Organization")).to_have_value("Acme")
