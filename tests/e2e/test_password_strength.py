"""The sign-up screens show how hard the password is to guess while it is typed, and the server agrees."""

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def strength(page: Page) -> Locator:
    return page.locator("#password-strength")


def test_the_strength_meter_follows_the_typing_on_the_sign_up_screen(page: Page) -> None:
    page.goto("/#/sign-up")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Your name").fill("Zebediah Quillfeather")
    page.get_by_label("Email").fill(f"zq-{uuid.uuid4().hex[:8]}@example.edu")
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-describedby", "password-strength")
    expect(strength(page)).to_have_text("Use a few uncommon words: long beats clever.")

    # Key by key, as a person types: the meter moves with each character.
    password.press_sequentially("1234")
    expect(strength(page).locator("meter")).to_have_js_property("value", 0)
    expect(strength(page)).to_contain_text("Strength: Very weak")
    password.press_sequentially("567890")
    expect(strength(page).locator(".strength-warning")).to_have_text("This is a frequently used password.")

    # The name typed above counts as known to a guesser.
    password.fill("")
    password.press_sequentially("ZebediahQuillfeather")
    expect(strength(page).locator(".strength-warning")).to_have_text(
        "It is built from your name, which anyone guessing would try first."
    )
    expect(strength(page)).to_contain_text(re.compile("Strength: (Very weak|Weak|Fair, not enough yet)"))

    password.fill("")
    password.press_sequentially(PASSWORD)
    expect(strength(page).locator("meter")).to_have_js_property("value", 4)
    expect(strength(page)).to_have_text("Strength: Strong")

    # The server takes what the meter calls strong.
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_the_advisor_sign_up_has_the_meter_and_the_server_says_why_it_refuses(page: Page) -> None:
    page.goto("/#/advisor-sign-up")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an advisor account")
    page.get_by_label("Your name").fill("Dana Advisor")
    email = f"quillfeather.zebediah.{uuid.uuid4().hex[:6]}@example.edu"
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").press_sequentially(email.partition("@")[0])
    expect(strength(page).locator(".strength-warning")).to_have_text(
        "It is built from your email address, which anyone guessing would try first."
    )
    # Submitted anyway, the server refuses it and says why, next to the button.
    page.get_by_role("button", name="Create advisor account").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose a stronger password")
    expect(alert).to_contain_text("It is built from your email address, which anyone guessing would try first.")
