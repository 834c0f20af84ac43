"""A supplier answers the questionnaire in French through its link (no account); the
procurement officer reads the answers, then blocks the supplier after a list update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.actor import Actor
from vigie.screening import services as screening
from vigie.suppliers import duediligence, services
from vigie.suppliers.models import Invitation, Supplier
from vigie.suppliers.tests.conftest import HEADER
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"
OTHER = "Unrelated Firm Zeta,firm,France,,2024-01-01,2030-01-01,Fraud"
OWNER = "Amadou Synthetique,individual,Myanmar,,2025-01-01,2031-01-01,Collusive practice"


def _load(tmp: Path, rows: list[str]) -> None:
    path = tmp / "debarred.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    screening.load_list(path, "debarment", code="synthetic-debarment")


def test_questionnaire_in_french_then_block_after_update(
    page: Any, browser: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    world, url = browser_world
    _load(tmp_path, [OTHER])
    supplier = services.create_supplier(
        Actor(world.users["procurement_officer"], world.own.pk),
        world.own,
        services.SupplierData(
            reference="SUP-7",
            name="Synthetic Kiln Works Ltd",
            country="Myanmar",
            parties=[services.PartyData("Amadou Synthetique", "owner", share="60")],
            products=[services.ProductData("Clay bricks", good="bricks")],
        ),
    )
    log_in(page, url, "u-procurement_officer", PASSWORD)
    page.goto(f"{url}/suppliers/{supplier.pk}/")
    page.select_option("#lang", "fr")
    page.click("[data-testid=invite]")
    link = page.locator("[data-testid=link]").get_attribute("href")
    assert link and "/suppliers/answer/" in link

    # the supplier, without an account, on a phone-sized screen
    supplier_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    phone = supplier_ctx.new_page()
    phone.goto(link)
    expect(phone.locator("h1")).to_contain_text("Pratiques de recrutement")
    form = phone.locator("[data-testid=questionnaire]")
    for code, value in [
        ("fees", "no"),
        ("documents", "no"),
        ("contract_language", "yes"),
        ("movement", "yes"),
        ("grievance", "no"),
        ("subcontracting", "yes"),
        ("monitoring", "internal_audit"),
    ]:
        form.locator(f"input[name={code}][value={value}]").check()
    phone.fill(
        "#statement", "Nous interdisons les frais de recrutement à la charge des travailleurs."
    )
    phone.fill("#statement_year", "2026")
    screenshot(phone, "suppliers-questionnaire-fr")
    phone.click("[data-testid=submit]")
    expect(phone.locator("[data-testid=thanks]")).to_be_visible()
    screenshot(phone, "suppliers-questionnaire-thanks-fr")
    phone.goto(link)  # the link cannot be used again
    expect(phone.locator("[data-testid=closed]")).to_be_visible()
    supplier_ctx.close()
    assert Invitation.objects.get().status == "submitted"

    page.goto(f"{url}/suppliers/{supplier.pk}/")
    expect(page.locator("[data-testid=answers]")).to_contain_text("grievance mechanism")
    screenshot(page, "suppliers-answers-en")
    page.click("[data-testid=mark-reviewed]")
    expect(page.locator("[data-testid=mark-reviewed]")).to_have_count(0)
    assert Invitation.objects.get().status == "reviewed"

    _load(tmp_path, [OTHER, OWNER])  # the owner is listed: one new hit in the queue
    page.goto(f"{url}/suppliers/queue/")
    alert = page.locator("[data-testid=alert]")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Synthetic Kiln Works Ltd")
    alert.locator("select").select_option("block")
    alert.locator("input[name=reason]").fill("Owner listed by the synthetic debarment list")
    screenshot(page, "suppliers-queue-en")
    alert.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=queue-empty]")).to_be_visible()
    assert Supplier.objects.get(pk=supplier.pk).status == "blocked"
    page.goto(f"{url}/suppliers/")
    expect(page.locator("[data-testid=counts]")).to_contain_text("1")
    page.wait_for_selector("#risk-map svg")
    screenshot(page, "suppliers-dashboard-en")


def test_refused_answers_come_back_as_given_in_arabic(
    browser: Any, browser_world: tuple[World, str]
) -> None:
    world, url = browser_world
    supplier = services.create_supplier(
        Actor(world.users["procurement_officer"], world.own.pk),
        world.own,
        services.SupplierData(reference="SUP-8", name="Synthetic Loom Co", country="Jordan"),
    )
    _inv, token = duediligence.create_invitation(
        Actor(world.users["procurement_officer"], world.own.pk), supplier, language="ar"
    )
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    phone = ctx.new_page()
    phone.goto(f"{url}/suppliers/answer/{token}/")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    form = phone.locator("[data-testid=questionnaire]")
    for name in ("fees", "documents", "contract_language", "movement", "grievance"):
        form.locator(f"input[name={name}]").first.check()
    form.locator("input[name=subcontracting][value=no]").check()
    form.locator("input[name=monitoring]").first.check()
    phone.fill("#statement", "نحظر رسوم التوظيف على العمال.")
    phone.fill("#statement_year", "2001")  # allowed by the field, refused as not recent
    phone.click("[data-testid=submit]")
    expect(phone.locator("[data-testid=answer-error]")).to_contain_text("سنة الإعلان")
    expect(phone.locator("#statement")).to_have_value("نحظر رسوم التوظيف على العمال.")
    expect(phone.locator("input[name=subcontracting][value=no]")).to_be_checked()
    expect(phone.locator("#statement_year")).to_have_attribute("aria-invalid", "true")
    screenshot(phone, "suppliers-questionnaire-refused-ar-phone")
    ctx.close()
    assert Invitation.objects.get(supplier=supplier).status == "sent"
