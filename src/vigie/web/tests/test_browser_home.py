"""The home page at phone and desktop width in three languages, and required fields marked."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"

MARK = """(selector) => {
  const label = document.querySelector(`label[for="${document.querySelector(selector).id}"]`);
  return getComputedStyle(label, "::after").content;
}"""


def test_home_by_role_and_required_marks(page: Any, browser_world: tuple[World, str]) -> None:
    world, url = browser_world
    Case.objects.create(
        organisation=world.own, reference="C-1", source_type="mrm", verification_status="reported"
    )
    log_in(page, url, "u-case_manager", PASSWORD)
    for lang in ("en", "fr", "ar"):
        if lang != "en":
            page.click(f"button[data-lang={lang}]")
            expect(page.locator("html")).to_have_attribute("lang", lang)
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{url}/")
            expect(page.locator("[data-testid=queues] a")).to_have_count(1)
            screenshot(page, f"home-case_manager-{lang}-{width}")
    page.goto(f"{url}/cases/new/")
    required = page.locator("form [required]:not([type=checkbox]):not([type=hidden])")
    assert required.count() > 0
    first = required.first.get_attribute("id")
    assert page.evaluate(MARK, f"#{first}") == '" *"'
    screenshot(page, "case-form-required-ar")
