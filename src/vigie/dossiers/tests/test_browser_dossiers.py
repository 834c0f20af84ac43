"""On a phone (390 px), in French: a panel expert builds a dossier (an Arabic name, a linked
case, a fact mapped to a criterion, the narrative), sends it to review; a sanctions analyst
submits it and downloads the PDF and the XML; the dossier read in Arabic, right to left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case, Perpetrator
from vigie.dossiers.models import Dossier
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def _phone(browser: Any, locale: str = "fr-FR") -> Any:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=locale, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_build_review_and_export_a_dossier(browser: Any, browser_world: tuple[World, str]) -> None:
    world, url = browser_world
    case = Case.objects.create(
        organisation=world.own, reference="PANEL-CASE-1", source_type="case_management",
        country="LY", event_year=2017,
    )  # fmt: skip
    Perpetrator.objects.create(case=case, kind="person", name="Synthetic Trafficker")

    page = _phone(browser)
    log_in(page, url, "u-panel_expert", PASSWORD)
    page.click("button[data-lang=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{url}/dossiers/")
    expect(page.locator("h1")).to_have_text("Dossiers de désignation")
    page.select_option("#id_kind", "individual")
    page.select_option("#id_regime", "1970")
    page.fill("#id_primary_name", "Orlan Vesk Tamarind")
    screenshot(page, "dossiers-list-fr-phone")
    _no_sideways_scroll(page)
    page.click("[data-testid=create-dossier] button[type=submit]")
    expect(page.locator("[data-testid=status]")).to_have_text("brouillon")

    page.click("text=Ajouter un nom")
    page.fill("[data-testid=alias-form] #id_name", "أورلان فيسك")
    page.click("[data-testid=alias-form] button[type=submit]")
    expect(page.locator("[data-testid=aliases]")).to_contain_text("أورلان فيسك")
    page.click("text=Lier un cas")
    page.fill("#id_case", "PANEL-CASE-1")
    page.click("[data-testid=case-form] button[type=submit]")
    expect(page.locator(".msg-success")).to_have_text("Cas lié.")
    page.select_option("#id_criterion", "human_rights_abuses")
    page.fill("#id_statement", "A retenu des migrants dans un entrepôt (synthétique).")
    page.check(f"input[name=cases][value='{case.uuid}']")
    page.fill("#id_documents", "S/2017/466")
    page.click("[data-testid=fact-form] button[type=submit]")
    expect(page.locator("[data-testid=facts]")).to_contain_text("S/RES/2213 (2015)")
    page.click("text=Modifier les éléments d'identification et le résumé des motifs")
    page.fill("#id_narrative", "Dirige un réseau synthétique de traite.")
    page.click("text=Enregistrer >> nth=0")
    expect(page.locator("[data-testid=narrative]")).to_contain_text("réseau synthétique")
    screenshot(page, "dossiers-detail-fr-phone")
    _no_sideways_scroll(page)
    page.select_option("[data-testid=transition-form] #id_action", "send_to_review")
    page.fill("[data-testid=transition-form] #id_reason", "Complet")
    page.click("[data-testid=transition-form] button[type=submit]")
    expect(page.locator("[data-testid=status]")).to_have_text("en relecture")

    reviewer = _phone(browser)
    log_in(reviewer, url, "u-sanctions_analyst", PASSWORD)
    reviewer.click("button[data-lang=fr]")
    expect(reviewer.locator("html")).to_have_attribute("lang", "fr")
    dossier = Dossier.objects.get()
    reviewer.goto(f"{url}/dossiers/{dossier.uuid}/")
    reviewer.select_option("[data-testid=transition-form] #id_action", "submit")
    reviewer.fill("[data-testid=transition-form] #id_reason", "Critères remplis")
    reviewer.click("[data-testid=transition-form] button[type=submit]")
    expect(reviewer.locator("[data-testid=status]")).to_have_text("soumis")
    with reviewer.expect_download() as pdf:
        reviewer.click("[data-testid=export-pdf-fr]")
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    with reviewer.expect_download() as xml:
        reviewer.click("[data-testid=export-xml]")
    assert b"<CONSOLIDATED_LIST" in Path(xml.value.path()).read_bytes()
    screenshot(reviewer, "dossiers-submitted-fr-phone")

    reviewer.click("button[data-lang=ar]")
    expect(reviewer.locator("html")).to_have_attribute("lang", "ar")
    reviewer.goto(f"{url}/dossiers/{dossier.uuid}/")
    expect(reviewer.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(reviewer, "dossiers-detail-ar-phone")
    _no_sideways_scroll(reviewer)
