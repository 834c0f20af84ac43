"""A person uploads evidence for a case and links it, on the upload form, to one of the
case's perpetrators and one of its incidents; the item keeps exactly those links."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case, Incident, Perpetrator
from vigie.evidence.models import Item
from vigie.testing import World

pytestmark = pytest.mark.browser


def test_upload_form_link_selects(page: Any, browser_world: tuple[World, str]) -> None:
    world, url = browser_world
    case = Case.objects.create(organisation=world.own, reference="C-SEL", source_type="mrm")
    perps = [
        Perpetrator.objects.create(case=case, organisation=world.own, kind=kind)
        for kind in ("group", "person")
    ]
    incidents = [
        Incident.objects.create(
            case=case, organisation=world.own, date_start=dt.date(2025, 5, day), country="IQ"
        )
        for day in (3, 9)
    ]
    user = world.users["investigator"]
    log_in(page, url, user.username, "correct-horse-battery")
    page.click("button[data-lang=en]")
    page.goto(f"{url}/evidence/add/")
    expect(page.locator("[data-testid=case-records]")).to_contain_text("Enter a case reference")

    page.set_input_files(
        "#id_file",
        {"name": "ledger.pdf", "mimeType": "application/pdf", "buffer": os.urandom(5000)},
    )
    page.fill("#id_case_ref", "C-SEL")
    page.press("#id_case_ref", "Tab")  # change: the case's records are loaded (htmx)
    perp_select, incident_select = page.locator("#id_perpetrators"), page.locator("#id_incidents")
    expect(perp_select).to_be_visible()
    expect(perp_select.locator("option")).to_have_count(2)
    expect(incident_select.locator("option")).to_have_count(2)
    expect(incident_select).to_contain_text("2025-05-09")
    perp_select.select_option(str(perps[1].uuid))  # the person, not the group
    incident_select.select_option(str(incidents[0].uuid))  # 3 May, not 9 May
    page.fill("#id_place", "Mosul (synthetic)")
    screenshot(page, "evidence-upload-links-en")

    page.click("[data-testid=upload]")
    expect(page.locator("#upload-done")).to_be_visible(timeout=20000)
    (item,) = Item.objects.all()  # the one upload (names are encrypted: no lookup by name)
    assert item.original_name == "ledger.pdf"
    links = {(link.kind, link.perpetrator_id, link.incident_id) for link in item.links.all()}
    assert links == {
        ("case", None, None),
        ("perpetrator", perps[1].pk, None),
        ("incident", None, incidents[0].pk),
    }
    assert item.links.get(kind="case").case == case

    page.click("#upload-link")
    expect(page.locator("h1")).to_contain_text("ledger.pdf")
    records = page.locator("[data-testid=record-link]")
    expect(records).to_have_count(2)
    expect(records).to_contain_text([f"incident {incidents[0].pk}", f"perpetrator {perps[1].pk}"])
    screenshot(page, "evidence-item-links-en")
