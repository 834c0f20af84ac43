"""A case manager publishes the HTCDS XLSForm (French), a device submits, and the submission
is reviewed and accepted into a case (Arabic, then on a phone-sized screen)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case
from vigie.collection import services
from vigie.collection.models import Submission
from vigie.collection.tests.conftest import HTCDS, instance
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.browser


def test_publish_review_accept(page: Any, browser_world: tuple[World, str]) -> None:
    world, url = browser_world
    log_in(page, url, world.users["case_manager"].username, "correct-horse-battery")
    page.click("button[data-lang=fr]")
    page.goto(f"{url}/collection/forms/")
    expect(page.locator("h1")).to_contain_text("Formulaires de terrain")
    page.set_input_files(
        "#id_xlsform",
        {
            "name": HTCDS.name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": HTCDS.read_bytes(),
        },
    )
    page.check("input[name=organisations]")
    page.click("form.card button[type=submit]")
    expect(page.locator("[data-testid=forms]")).to_contain_text("htcds_xlsform")
    screenshot(page, "collection-forms-fr")

    issued = services.issue_device(Actor.system("browser test"), world.own, "Team 1")
    services.receive(issued.device, instance(), [])
    sub = Submission.objects.get()

    page.click("button[data-lang=ar]")
    page.goto(f"{url}/collection/submissions/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.click(f"a[href='/collection/submissions/{sub.uuid}/']")
    expect(page.locator("[data-testid=answers]")).to_contain_text("Gender")
    screenshot(page, "collection-submission-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "collection-submission-ar-390")
    page.click("[data-testid=accept]")
    expect(page.locator("[data-testid=queue]")).to_be_visible()
    sub.refresh_from_db()
    assert sub.status == "accepted" and Case.objects.filter(pk=sub.case_id).exists()
