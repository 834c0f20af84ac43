"""WCAG 2.2 AA with axe-core on every page a role reaches from the navigation, in English,
French and Arabic: no serious or critical violation (issue 16 item 9).

axe-core is vendored from npm (vendor/axe.min.js) and injected by the test into a context that
bypasses the Content-Security-Policy (the policy forbids exactly such injected scripts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from vigie.browser import log_in
from vigie.cases.models import Case, Victim
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
}"""


def _nav_links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], nav a[href], main a[href]", "els => els.map(e => e.href)"
    )
    host = urlparse(base).netloc
    out = []
    for href in hrefs:
        u = urlparse(href)
        if u.netloc != host or u.path.startswith(("/accounts/logout", "/api/", "/static/")):
            continue
        path = u.path
        if path not in out:
            out.append(path)
    return out


def _audit(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(RUN, TAGS)
    return result


@pytest.mark.parametrize("role", ["case_manager", "financial_analyst", "org_admin"])
def test_no_serious_accessibility_violation(
    browser: Any, browser_world: tuple[World, str], role: str
) -> None:
    world, url = browser_world
    case = Case.objects.create(
        organisation=world.own, reference="A11Y-1", source_type="mrm", country="LY",
        verification_status="reported",
    )  # fmt: skip
    Victim.objects.create(case=case, sex="female", age_at_identification=16)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        log_in(page, url, f"u-{role}", PASSWORD)
        page.goto(f"{url}/")
        paths = _nav_links(page, url)
        if role == "case_manager":
            paths += [p for p in (f"/cases/{case.uuid}/", "/cases/new/") if p not in paths]
        problems: dict[str, Any] = {}
        audited = 0
        for lang in ("en", "fr", "ar"):
            if lang != "en":
                page.goto(f"{url}/")
                page.click(f"button[data-lang={lang}]")
            for path in paths:
                response = page.goto(f"{url}{path}")
                if response is None or response.status >= 400:
                    continue
                found = _audit(page)
                audited += 1
                if found:
                    problems[f"{lang} {path}"] = found
        assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)[:6000]
        # the navigation of every role leads somewhere: the audit covered real pages
        assert len(paths) >= 3 and audited >= 3 * len(paths) - 3, (audited, paths)
    finally:
        context.close()
