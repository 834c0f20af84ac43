"""An investigator opens the link chart, reads a node's links and expands a node, in English
and in Arabic (right to left), on a desktop and a phone."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases import services as cases
from vigie.core.actor import Actor
from vigie.network import keys, tasks
from vigie.network.models import Node
from vigie.testing import World

from .conftest import record

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def _count(page: Any) -> int:
    return int(
        page.evaluate("window.vigieNetworkChart ? window.vigieNetworkChart.nodes().length : 0")
    )


def _wait_nodes(page: Any, test: Any, seconds: float = 60) -> int:
    """Poll the chart's node count (wait_for_function evaluates a string: the CSP forbids)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        n = _count(page)
        if test(n):
            return n
        page.wait_for_timeout(200)
    raise AssertionError(f"the chart has {_count(page)} nodes")


def test_open_expand_in_english_and_arabic(page: Any, browser_world: tuple[World, str]) -> None:
    world, url = browser_world
    own = Actor.system("tests", world.own.pk)
    saved = [
        cases.save_record(own, world.own, record("NET-1", "Amina", "+234 803 555 0101", "Musa")),
        cases.save_record(own, world.own, record("NET-2", "Hauwa", "+234 803 555 0101", "Musa")),
        cases.save_record(own, world.own, record("NET-3", "Zainab", "+234 803 555 0199", "Ali")),
    ]
    tasks.read("cases.case", [c.pk for c in saved])
    phone = Node.objects.get(key=keys.value_key("phone", "+234 803 555 0101"))
    page.set_default_timeout(60000)  # a shared machine: the first page can be slow
    log_in(page, url, "u-investigator", PASSWORD)

    page.goto(f"{url}/network/")
    expect(page.locator("[data-testid=hubs] a").first).to_be_visible()
    page.goto(f"{url}/network/?node={phone.pk}")
    expect(page.locator("[data-testid=links] li").first).to_be_visible()
    expect(page.locator("[data-testid=panel] h2")).to_have_text("+2348035550101")
    _wait_nodes(page, lambda n: n > 3)
    # the source record opens from the panel
    opened = page.locator(f"[data-testid=links] a[href='/cases/{saved[0].uuid}/']")
    expect(opened).to_have_count(1)
    screenshot(page, "network-chart-en")

    # expand a node at the edge of the chart: a victim, whose case and driver appear
    page.select_option("#c-depth", "1")
    page.click("#chart-filters button[type=submit]")
    _wait_nodes(page, lambda n: n == 3)
    before = _count(page)
    group = page.evaluate(
        "window.vigieNetworkChart.nodes().filter(n => n.data('kind') === 'person')[0].id()"
    )
    page.evaluate(f"window.vigieNetworkChart.getElementById('{group}').emit('tap')")
    expect(page.locator("[data-testid=expand]")).to_be_visible()
    page.click("[data-testid=expand]")
    _wait_nodes(page, lambda n: n > before)
    screenshot(page, "network-expanded-en")

    # the language switch reloads this page (no second navigation while its chart loads:
    # two requests writing the access log at once collide on SQLite, see the report)
    page.click("button[data-lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("[data-testid=expand]")).to_have_text("توسيع")
    before = _wait_nodes(page, lambda n: n > 3)
    page.click("[data-testid=expand]")
    _wait_nodes(page, lambda n: n >= before)
    screenshot(page, "network-chart-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/network/?node={phone.pk}")
    expect(page.locator("[data-testid=links] li").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(page, "network-chart-ar-390")
