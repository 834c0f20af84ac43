"""A financial analyst triages an alert and downloads its goAML report, in French and
English, on a desktop and a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.actor import Actor
from vigie.devtools import transactions
from vigie.finance import goaml, mapping, services
from vigie.finance.models import Alert
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def test_triage_and_goaml_download(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    world, url = browser_world
    actor = Actor(user=world.users["financial_analyst"], organisation_id=world.own.pk)
    path = tmp_path / "tx.csv"
    transactions.write(path, rows=3000, accounts=1000, networks=1, seed=11)
    services.import_transactions(actor, world.own, path, mapping.IDENTITY_MAPPING)
    services.run_rules(actor, world.own)
    log_in(page, url, "u-financial_analyst", PASSWORD)

    page.goto(f"{url}/finance/alerts/")
    expect(page.locator("[data-testid=alert]").first).to_be_visible()
    screenshot(page, "finance-alerts-en")
    page.click("button[data-lang=fr]")
    expect(page.locator("h1")).to_have_text("Alertes financières")
    screenshot(page, "finance-alerts-fr")

    alert = Alert.objects.filter(rule="structuring").first()
    assert alert is not None
    page.goto(f"{url}/finance/alerts/{alert.pk}/")
    expect(page.locator("[data-testid=explanation]")).to_contain_text("dépôts d'espèces")
    page.click("[data-testid=assign-me]")
    page.select_option("#id_status", "escalated")
    page.fill("#id_note", "Trois dépôts juste sous le seuil, agences différentes.")
    page.click("[data-testid=decide]")
    expect(page.locator("[data-testid=status]")).to_contain_text("Transmise")
    screenshot(page, "finance-alert-fr")
    with page.expect_download() as download:
        page.click("[data-testid=goaml]")
    data = Path(download.value.path()).read_bytes()
    goaml.parse_received(data, "downloaded")  # valid goAML 5.0.1

    page.click("button[data-lang=en]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/finance/alerts/{alert.pk}/")
    expect(page.locator("[data-testid=status]")).to_contain_text("Escalated")
    screenshot(page, "finance-alert-en-390")
    page.goto(f"{url}/finance/files/")
    screenshot(page, "finance-files-en-390")
