"""A new student signs up on their phone and lands on Today, which says what to do first."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_sign_up_lands_on_an_empty_today(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"#/sign-in$"))
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")

    page.get_by_label("Your name").fill("Riley Student")
    page.get_by_label("Email").fill(f"riley-{uuid.uuid4().hex[:8]}@example.edu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"#/$"))
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page.get_by_text("Nothing to do today.")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Add a contact")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Today")).to_have_attribute(
        "aria-current", "page"
    )
