"""A person logs in, switches to Arabic (right to left), finds the error pages, logs out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def test_login_language_switch_and_logout(page: Any, browser_world: tuple[World, str]) -> None:
    _world, url = browser_world
    page.goto(f"{url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("dir") == "ltr"
    screenshot(page, "login-en")

    page.fill("#id_login", "u-org_admin")
    page.fill("#id_password", "wrong password")
    page.click("[data-testid=login-submit]")
    expect(page.locator("[role=alert]")).to_be_visible()
    assert page.input_value("#id_login") == "u-org_admin"
    screenshot(page, "login-error-en")

    log_in(page, url, "u-org_admin", PASSWORD)
    assert page.locator("h1").inner_text().startswith("Welcome")
    screenshot(page, "home-en")

    page.click("button[data-lang=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.locator("h1").inner_text().startswith("Bienvenue")
    screenshot(page, "home-fr")

    page.click("button[data-lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert "مرحبا" in page.locator("h1").inner_text()
    screenshot(page, "home-ar")

    page.goto(f"{url}/admin/users/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "users-ar")

    page.goto(f"{url}/no-such-page/")
    assert "الصفحة غير موجودة" in page.content()
    screenshot(page, "404-ar")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/")
    screenshot(page, "home-ar-phone")

    page.click("details.usermenu summary")
    page.click("[data-testid=logout]")
    page.wait_for_url("**/accounts/login/")
    screenshot(page, "login-ar")
    page.goto(f"{url}/")
    assert "/accounts/login/" in page.url


def test_keyboard_reaches_login_form(page: Any, browser_world: tuple[World, str]) -> None:
    _world, url = browser_world
    page.goto(f"{url}/accounts/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.focus("#id_login")
    page.keyboard.type("u-analyst")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/")
    assert page.locator("h1").is_visible()
