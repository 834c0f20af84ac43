"""A person asks for a role that sees identities, another approves it; a person creates a
token and sees its expiry (issue 15, ADRs 0040 and 0041)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.models import ApiToken, Membership, PendingGrant, User
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def test_role_grant_takes_two_administrators(
    page: Any, browser: Any, browser_world: tuple[World, str]
) -> None:
    world, url = browser_world
    second = User.objects.create(username="second.admin")
    second.set_password(PASSWORD)
    second.save()
    Membership.objects.create(user=second, organisation=world.own, role="org_admin")
    member = world.users["analyst"]

    log_in(page, url, "u-org_admin", PASSWORD)
    page.click("button[data-lang=en]")
    page.goto(f"{url}/admin/orgs/own-org/users/{member.pk}/")
    page.check("input[name=roles][value=case_manager]")
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator(".messages")).to_contain_text("wait for another administrator")
    expect(page.locator("[data-testid=pending-roles]")).to_contain_text("Case manager")
    page.goto(f"{url}/admin/grants/")
    grant = PendingGrant.objects.get()
    row = page.locator(f"[data-testid=grant-{grant.pk}]")
    expect(row).to_contain_text("Another administrator must approve.")
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)

    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    approver = other.new_page()
    log_in(approver, url, "second.admin", PASSWORD)
    approver.click("button[data-lang=en]")
    approver.goto(f"{url}/admin/grants/")
    pending_row = approver.locator(f"[data-testid=grant-{grant.pk}]")
    pending_row.get_by_role("button", name="Approve").click()
    expect(approver.locator(".messages")).to_contain_text("Role grant approved.")
    screenshot(approver, "grants-approved-390-en")
    approver.click("button[data-lang=ar]")
    expect(approver.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(approver, "grants-approved-390-ar")
    other.close()
    assert Membership.objects.filter(user=member, role="case_manager").exists()


def test_token_is_shown_once_with_its_expiry(page: Any, browser_world: tuple[World, str]) -> None:
    _world, url = browser_world
    log_in(page, url, "u-analyst", PASSWORD)
    page.click("button[data-lang=en]")
    page.goto(f"{url}/account/")
    page.fill("#id_name", "nightly export")
    page.fill("#id_days", "30")
    page.get_by_role("button", name="Create a token").click()
    secret = page.locator("[data-testid=token-secret]")
    expect(secret).to_contain_text("vg_")
    token = ApiToken.objects.get(name="nightly export")
    assert token.expires_at is not None and token.access == "read"
    expect(page.locator(f"[data-testid=token-{token.pk}]")).to_contain_text(
        token.expires_at.strftime("%Y-%m-%d")
    )
    screenshot(page, "account-token-en")
    page.goto(f"{url}/account/")
    expect(page.locator("[data-testid=token-secret]")).to_have_count(0)
