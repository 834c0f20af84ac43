"""A case manager publishes the HTCDS XLSForm (French), a device submits, and the submission
is reviewed and accepted into a case (Arabic, then on a phone-sized screen)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case
from vigie.collection import receipt, services
from vigie.collection.models import Publication, Submission
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
    receipt.receive(issued.device, instance(), [])
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
    # back on the queue, now empty: its empty state says what arrives there
    expect(page.locator("[data-testid=queue-empty]")).to_be_visible()
    sub.refresh_from_db()
    assert sub.status == "accepted" and Case.objects.filter(pk=sub.case_id).exists()


def test_accept_into_an_existing_case(page: Any, browser_world: tuple[World, str]) -> None:
    """French: pick the case, say it is the same person, see the conflict, keep the case's
    value, accept; Arabic at 390 px: the merge report on the submission."""
    from vigie.cases import services as cases

    world, url = browser_world
    manager = Actor(user=world.users["case_manager"])
    case = cases.save_record(
        manager, world.own, {"source_type": "hotline", "victims": [{"key": "a", "sex": "male"}]}
    )
    services.publish_form(manager, HTCDS.read_bytes(), HTCDS.name, [world.own])
    issued = services.issue_device(manager, world.own, "Team 1")
    sub, _ = receipt.receive(issued.device, instance("uuid:browser-merge"), [])
    log_in(page, url, world.users["case_manager"].username, "correct-horse-battery")
    page.click("button[data-lang=fr]")
    page.goto(f"{url}/collection/submissions/{sub.uuid}/")
    page.fill("#id_case", case.reference)
    page.click("[data-testid=choose-case]")
    victim = case.victims.get().uuid
    page.check(f"input[name=victim][value='{victim}']")
    page.click("form[method=get] button[type=submit]")
    expect(page.locator("[data-testid=conflicts]")).to_contain_text("victim.sex")
    page.check("input[name=on_conflict][value=keep]")
    screenshot(page, "collection-merge-fr")
    page.click("[data-testid=merge-accept]")
    # back on the queue, now empty: its empty state says what arrives there
    expect(page.locator("[data-testid=queue-empty]")).to_be_visible()
    sub.refresh_from_db()
    assert sub.case_id == case.pk and sub.merge_report["kept"] == ["victim.sex"]
    assert case.victims.get().citizenship == "IQ"
    page.click("button[data-lang=ar]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/collection/submissions/{sub.uuid}/")
    expect(page.locator("[data-testid=merge-report]")).to_contain_text("victim.citizenship")
    screenshot(page, "collection-merged-ar-390")


def test_mapping_editor(page: Any, browser_world: tuple[World, str]) -> None:
    """Map a repeat group's questions, then its choices, in French; Arabic at 390 px."""
    from vigie.cases.models import MappingProfile
    from vigie.collection.tests.test_repeats import HOUSEHOLD

    world, url = browser_world
    manager = Actor(user=world.users["case_manager"])
    services.publish_form(manager, HOUSEHOLD.read_bytes(), HOUSEHOLD.name, [world.own])
    log_in(page, url, world.users["case_manager"].username, "correct-horse-battery")
    page.click("button[data-lang=fr]")
    page.goto(f"{url}/collection/forms/")
    page.click("a[href$='/household_synthetic/mapping/']")
    editor = page.locator("[data-testid=mapping]")
    expect(editor).to_contain_text("victims/sex")
    sex = page.locator(".mapping-row[data-path='victims/sex'] select").first
    sex.select_option("victim.sex")
    page.fill("#id_name", "Entretien ménage")
    page.click("[data-testid=save-mapping]")
    row = page.locator(".mapping-row[data-path='victims/sex']")
    expect(row).to_contain_text("Female (f)")
    row.locator("select").nth(1).select_option("female")
    screenshot(page, "collection-mapping-fr")
    page.click("[data-testid=save-mapping]")
    profile = MappingProfile.objects.get(name="Entretien ménage")
    assert profile.values == {"victim.sex": {"f": "female"}}
    page.click("button[data-lang=ar]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "collection-mapping-ar-390")


def test_close_and_reopen_a_form_on_a_phone(page: Any, browser_world: tuple[World, str]) -> None:
    """Arabic, 390 px wide: the Close button is named after the form and the organisation
    (its accessible name starts with the visible word), closes, then reopens."""
    world, url = browser_world
    services.publish_form(
        Actor(user=world.users["case_manager"]), HTCDS.read_bytes(), HTCDS.name, [world.own]
    )
    log_in(page, url, world.users["case_manager"].username, "correct-horse-battery")
    page.click("button[data-lang=ar]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/collection/forms/")
    close = page.get_by_role("button", name="إغلاق htcds_xlsform لـ own-org")
    expect(close).to_be_visible()
    close.click()
    expect(page.get_by_role("button", name="إعادة فتح htcds_xlsform لـ own-org")).to_be_visible()
    screenshot(page, "collection-form-closed-ar-390")
    assert not Publication.objects.get().is_open
    page.get_by_role("button", name="إعادة فتح htcds_xlsform لـ own-org").click()
    expect(page.get_by_role("button", name="إغلاق htcds_xlsform لـ own-org")).to_be_visible()
    assert Publication.objects.get().is_open
