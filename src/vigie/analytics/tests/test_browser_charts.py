"""Charts a person can read: the trend's year labels and the Sankey's labels never overlap,
at phone, tablet and desktop width, in English, French and Arabic; each chart has a text
alternative."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from vigie.analytics.store import Store
from vigie.browser import ARTIFACTS, log_in, screenshot
from vigie.devtools import analytics_rows
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"

BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map((e) => {
  const b = e.getBoundingClientRect();
  return [b.left, b.top, b.right, b.bottom, e.firstChild ? e.firstChild.textContent : ""];
})"""


def _overlaps(boxes: list[list[Any]]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
                found.append((a[4], b[4]))
    return found


def test_chart_labels_never_overlap(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    _world, url = browser_world
    with override_settings(VIGIE_ANALYTICS_DIR=str(tmp_path / "analytics")):
        rows = analytics_rows.victim_rows(8000, seed=3)
        for r in rows:
            r["organisation"] = "own-org"
        Store().replace_all(
            {
                "victims": analytics_rows.victims_table(rows),
                "perpetrators": analytics_rows.perpetrators_table(
                    analytics_rows.perpetrator_rows(300)
                ),
            },
            "2026-11-23T10:00:00Z",
        )
        log_in(page, url, "u-analyst", PASSWORD)
        for lang in ("en", "fr", "ar"):
            if lang != "en":
                page.click(f"button[data-lang={lang}]")
                expect(page.locator("html")).to_have_attribute("lang", lang)
            for width in (390, 768, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{url}/stats/")
                trend = page.locator('figure[data-chart="trend"]')
                expect(trend).to_have_attribute("data-ready", "true")
                expect(page.locator('figure[data-chart="sankey"]')).to_have_attribute(
                    "data-ready", "true"
                )
                years = page.evaluate(BOXES, 'figure[data-chart="trend"] text.tick-x')
                assert len(years) >= 2
                assert _overlaps(years) == [], (lang, width)
                labels = page.evaluate(BOXES, 'figure[data-chart="sankey"] text.node-label')
                assert labels and _overlaps(labels) == [], (lang, width)
                # Text at phone width stays readable: at least 9 px high.
                assert min(b[3] - b[1] for b in years) >= 9
                # A text alternative: the chart's figures, not only its title.
                desc = trend.locator("svg desc").text_content() or ""
                assert any(ch.isdigit() for ch in desc)
                screenshot(page, f"stats-charts-{lang}-{width}")
                for chart in ("trend", "sankey"):
                    page.locator(f'figure[data-chart="{chart}"]').screenshot(
                        path=str(ARTIFACTS / f"chart-{chart}-{lang}-{width}.png")
                    )
