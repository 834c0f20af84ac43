"""What round 6 saw on the phone screenshots, looked at again in a browser at 390 px: the
XLSForm label reads "XLSForm (.xlsx)" left to right inside Arabic (it showed
"(xlsx.) XLSForm"), and the pages changed for it (review queue, users, dossiers) in ar, fr
and en, screenshotted to test-artifacts/screenshots/labels-<page>-<lang>-390.png."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.models import Membership, User
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"

# x positions of the parts of the label, as laid out
LAYOUT = """() => {
  const label = document.querySelector("label[for=id_xlsform]");
  const node = [...label.childNodes].find((n) => n.nodeType === 3 && n.data.includes("XLSForm"));
  const box = (part) => {
    const at = node.data.indexOf(part);
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + part.length);
    return range.getBoundingClientRect().left;
  };
  return {name: box("XLSForm"), open: box("("), dot: box("."), ext: box("xlsx"), close: box(")")};
}"""


def test_latin_runs_read_left_to_right_in_arabic(
    page: Any, browser_world: tuple[World, str]
) -> None:
    world, url = browser_world
    user = User.objects.create(username="u-labels")
    user.set_password(PASSWORD)
    user.save()
    for role in ("case_manager", "panel_expert", "org_admin"):
        Membership.objects.create(user=user, organisation=world.own, role=role)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, url, "u-labels", PASSWORD)
    pages = {
        "collection": reverse("collection:forms"),
        "queue": reverse("collection:queue"),
        "users": reverse("core:org-users", args=[world.own.code]),
        "dossiers": reverse("dossiers:list"),
    }
    for lang in ("ar", "fr", "en"):
        page.click(f"button[data-lang={lang}]")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for name, path in pages.items():
            page.goto(f"{url}{path}")
            screenshot(page, f"labels-{name}-{lang}-390")
            if name == "collection":
                x = page.evaluate(LAYOUT)
                assert x["name"] < x["open"] < x["dot"] < x["ext"] < x["close"], (lang, x)
            if name == "queue":
                expect(page.get_by_test_id("queue-empty")).to_be_visible()
