"""An investigator working for three organisations reviews suggested links between their
records, in English and then in Arabic on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.actor import Actor
from vigie.core.models import Membership, Organisation
from vigie.devtools import linkage_eval
from vigie.linkage import demo, services
from vigie.linkage.models import Decision
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def test_review_a_suggested_link_in_english_and_arabic(
    page: Any, browser_world: tuple[World, str]
) -> None:
    world, url = browser_world
    third, _ = Organisation.objects.get_or_create(code="third-org", defaults={"name": "Third"})
    orgs = {"ORG-A": world.own, "ORG-B": world.other, "ORG-C": third}
    demo.create_cases(
        {c: Actor.system("tests", o.pk) for c, o in orgs.items()},
        linkage_eval.generate(people=25, seed=11),
    )
    user = world.users["investigator"]
    for org in orgs.values():
        Membership.objects.get_or_create(user=user, organisation=org, role="investigator")
    services.run(Actor.system("tests", world.own.pk))

    page.set_default_timeout(90_000)  # a shared machine: slow pages, not wrong ones
    page.set_default_navigation_timeout(90_000)
    log_in(page, url, user.username, PASSWORD)
    page.goto(f"{url}/linkage/review/")
    expect(page.locator("[data-testid=tradeoff]")).to_be_visible()
    card = page.locator("[data-testid=link]").first
    expect(card).to_be_visible()
    expect(card.locator("[data-testid=name-left]")).not_to_be_empty()
    card.locator("input[value=match]").check()
    card.locator("input[name=reason]").fill("same document number and birth date")
    screenshot(page, "linkage-review-en")
    card.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=decided]").first).to_be_visible()
    screenshot(page, "linkage-review-decided-en")
    assert Decision.objects.filter(verdict="match", reviewer=user).count() == 1

    page.click("button[data-lang=ar]")
    page.goto(f"{url}/linkage/review/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.set_viewport_size({"width": 390, "height": 844})
    card = page.locator("[data-testid=link]").first
    card.locator("input[value=non_match]").check()
    card.locator("input[name=reason]").fill("تاريخ ميلاد مختلف")
    screenshot(page, "linkage-review-ar-phone")
    card.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=decided]").first).to_contain_text("ليس الشخص نفسه")
    screenshot(page, "linkage-review-decided-ar-phone")
    assert Decision.objects.filter(verdict="non_match", reviewer=user).count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the review page fits a phone's width"
