"""Settings → Calendar feed: made once (its address shown once), still said to be on after a reload
(the address itself cannot be shown again), and stopped."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e


def test_a_calendar_feed_is_made_remembered_and_stopped(page: Page, signed_in: Api) -> None:
    page.goto("/#/settings")
    section = page.get_by_role("region", name="Calendar feed")
    expect(section.get_by_role("button", name="Stop calendar feed")).to_have_count(0)
    section.get_by_role("button", name="Create calendar feed").click()
    address = section.get_by_label("Calendar feed address")
    expect(address).to_have_value(re.compile(r"/api/v1/calendar-feeds/[^/]+\.ics$"))

    page.reload()
    section = page.get_by_role("region", name="Calendar feed")
    expect(section.get_by_text(re.compile(r"^Your calendar feed is on, since "))).to_be_visible()
    expect(section.get_by_label("Calendar feed address")).to_have_count(0)
    expect(section.get_by_role("button", name="Make a new feed address")).to_be_visible()

    section.get_by_role("button", name="Stop calendar feed").click()
    expect(section.get_by_text("Calendar feed stopped: its address no longer works.")).to_be_visible()
    expect(section.get_by_role("button", name="Create calendar feed")).to_be_visible()
    expect(section.get_by_role("button", name="Stop calendar feed")).to_have_count(0)
    assert signed_in.get("/api/v1/calendar-feed") == {"active": False, "createdAt": None}
