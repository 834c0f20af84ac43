"""An analyst opens the dashboard, filters it (filters in the address), sees the map and the
Sankey drawn, downloads a chart; in French, in Arabic (right to left) and on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from vigie.analytics.store import Store
from vigie.browser import log_in, screenshot
from vigie.devtools import analytics_rows
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def test_dashboard_filters_map_sankey_download(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    _world, url = browser_world
    with override_settings(VIGIE_ANALYTICS_DIR=str(tmp_path / "analytics")):
        rows = analytics_rows.victim_rows(6000, seed=5)
        for r in rows:
            r["organisation"] = "own-org"
        perps = analytics_rows.perpetrator_rows(500, seed=5)
        for p in perps:
            p["organisation"] = "own-org"
        Store().replace_all(
            {
                "victims": analytics_rows.victims_table(rows),
                "perpetrators": analytics_rows.perpetrators_table(perps),
            },
            "2026-11-23T10:00:00Z",
        )
        log_in(page, url, "u-analyst", PASSWORD)
        page.goto(f"{url}/stats/")
        expect(page.locator('figure[data-chart="map"]')).to_have_attribute("data-ready", "true")
        expect(page.locator('figure[data-chart="sankey"]')).to_have_attribute("data-ready", "true")
        assert page.locator('figure[data-chart="map"] svg path').count() > 100
        assert page.locator('figure[data-chart="sankey"] svg path').count() > 5
        assert page.locator('figure[data-chart="map"] svg path.arc').count() > 3
        screenshot(page, "stats-dashboard-en")

        page.locator('figure[data-chart="map"] path[data-code="LY"]').click()  # drill down
        page.wait_for_url("**country=LY**")
        expect(page.locator("select[name=country]")).to_have_value("LY")
        expect(page.locator('figure[data-chart="area"]')).to_have_attribute("data-ready", "true")

        page.select_option("select[name=sex]", "female")
        page.fill("input[name=period]", "2017-2020")
        page.click("#stats-filters button[type=submit]")
        page.wait_for_url("**/stats/?*")
        assert "sex=female" in page.url and "period=2017-2020" in page.url
        assert "situation=" not in page.url  # empty filters stay out of the address
        expect(page.locator('figure[data-chart="form"]')).to_have_attribute("data-ready", "true")
        page.click("button[data-map=origin]")
        expect(page.locator("button[data-map=origin]")).to_have_attribute("aria-pressed", "true")

        with page.expect_download() as info:
            page.locator('figure[data-chart="form"] button[data-download=svg]').click()
        assert info.value.suggested_filename == "vigie-form.svg"
        assert b"<svg" in Path(info.value.path()).read_bytes()
        with page.expect_download() as info:
            page.locator('figure[data-chart="form"] button[data-download=png]').click()
        assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")
        screenshot(page, "stats-dashboard-filtered-en")

        page.click("button[data-lang=fr]")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator('figure[data-chart="sankey"]')).to_have_attribute("data-ready", "true")
        assert "sex=female" in page.url
        screenshot(page, "stats-dashboard-fr")

        page.click("button[data-lang=ar]")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator('figure[data-chart="map"]')).to_have_attribute("data-ready", "true")
        screenshot(page, "stats-dashboard-ar")

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        expect(page.locator('figure[data-chart="sankey"]')).to_have_attribute("data-ready", "true")
        screenshot(page, "stats-dashboard-ar-phone")
