"""Every app's main page at phone width (390 px) in Arabic, French and English: nothing wider
than the screen, Arabic right to left, every required field marked once, and no table that
needs sideways scrolling (ADR 0065). One screenshot per page and language for people to
look at: test-artifacts/screenshots/tour-<page>-<lang>-390.png."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case
from vigie.collection import services as collection
from vigie.collection.tests.conftest import HTCDS
from vigie.core.actor import Actor
from vigie.core.models import Membership, User
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"
# Every organisation role but the linkage unit's (it sees only the encoded-records page), so
# that one person can open every app's page.
ROLES = (
    "case_manager",
    "analyst",
    "investigator",
    "financial_analyst",
    "screening_officer",
    "procurement_officer",
    "panel_expert",
    "sanctions_analyst",
    "org_admin",
)
# (screenshot name, URL name)
PAGES = [
    ("home", "web:home"),
    ("dashboard", "analytics:dashboard"),
    ("cases", "cases:list"),
    ("case", "cases:detail"),
    ("case-form", "cases:create"),
    ("screening", "screening:search"),
    ("screening-review", "screening:review"),
    ("evidence", "evidence:items"),
    ("collection", "collection:forms"),
    ("collection-queue", "collection:queue"),
    ("identification", "identification:interviews"),
    ("network", "network:chart"),
    ("linkage", "linkage:review"),
    ("finance", "finance:alerts"),
    ("finance-files", "finance:imports"),
    ("suppliers", "suppliers:dashboard"),
    ("dossiers", "dossiers:list"),
    ("jobs", "core:jobs"),
    ("account", "core:account"),
    ("users", "core:users"),
]
# pages whose content arrives after the load event
SETTLING = {"dashboard", "network"}

CHECK = """() => {
  const width = window.innerWidth;
  const marked = [...document.querySelectorAll("main label, main legend")].filter((el) =>
    getComputedStyle(el, "::after").content.includes("*") && el.textContent.trim().endsWith("*"));
  const controls = "main :is(input, select, textarea)[required]"
    + ":not([type=hidden], [type=checkbox], [type=radio])";
  const unmarked = [...document.querySelectorAll(controls)].filter((control) => {
    const label = control.labels && control.labels[0];
    return !label || !getComputedStyle(label, "::after").content.includes("*");
  });
  const scrolling = [...document.querySelectorAll("main .table-wrap, main .table-scroll")].filter(
    (wrap) => wrap.scrollWidth > wrap.clientWidth + 1);
  const wide = [...document.querySelectorAll("main *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1);
  }).slice(0, 3).map((el) => el.tagName + "." + el.className);
  return {
    overflow: document.documentElement.scrollWidth - width,
    dir: document.documentElement.dir,
    marked: marked.map((el) => el.textContent.trim()),
    unmarked: unmarked.map((el) => el.name),
    scrolling: scrolling.length,
    wide,
  };
}"""


def tour_user(world: World) -> User:
    user = User.objects.create(username="u-tour")
    user.set_password(PASSWORD)
    user.save()
    for role in ROLES:
        Membership.objects.create(user=user, organisation=world.own, role=role)
    return user


def test_every_page_fits_a_phone_in_three_languages(
    page: Any, browser_world: tuple[World, str]
) -> None:
    world, url = browser_world
    tour_user(world)
    case = Case.objects.create(
        organisation=world.own,
        reference="C-TOUR-1",
        source_type="mrm",
        verification_status="reported",
    )
    manager = Actor(user=world.users["case_manager"])
    collection.publish_form(manager, HTCDS.read_bytes(), "htcds_xlsform.xlsx", [world.own])
    collection.issue_device(manager, world.own, "Équipe mobile du nord", team="Nord")

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, url, "u-tour", PASSWORD)
    problems: list[str] = []
    for lang in ("ar", "fr", "en"):
        page.click(f"button[data-lang={lang}]")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for name, route in PAGES:
            path = reverse(route, kwargs={"uuid": case.uuid} if route == "cases:detail" else {})
            response = page.goto(f"{url}{path}")
            assert response is not None and response.ok, f"{path} in {lang}: {response}"
            if name in SETTLING:
                page.wait_for_load_state("networkidle")
            seen = page.evaluate(CHECK)
            screenshot(page, f"tour-{name}-{lang}-390")
            where = f"{name} ({path}) in {lang}"
            if seen["overflow"] > 1:
                wide = seen["wide"]
                problems.append(f"{where}: {seen['overflow']} px wider than the screen {wide}")
            if seen["dir"] != ("rtl" if lang == "ar" else "ltr"):
                problems.append(f"{where}: dir={seen['dir']}")
            if seen["marked"]:
                problems.append(f"{where}: required marked twice on {seen['marked']}")
            if seen["unmarked"]:
                problems.append(f"{where}: required but not marked: {seen['unmarked']}")
            if seen["scrolling"]:
                problems.append(f"{where}: {seen['scrolling']} table(s) scroll sideways")
    assert not problems, "\n".join(problems)
