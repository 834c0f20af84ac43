"""In Arabic on a phone (390 px): an interview becomes a case, consent is recorded, the case
is referred to another organisation, whose officer accepts it and records the service as
delivered; a late referral then appears on the sender's caseload page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.models import Membership, Organisation, User
from vigie.identification.models import Interview, Referral
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"
ANSWERS = [  # each element by one strong and one medium indicator (rule version 2)
    "deceptive_recruitment.deceived_nature_job",
    "deceptive_recruitment.deceived_wages",
    "exploitation.excessive_hours",
    "exploitation.low_no_salary",
    "coercion_destination.debt_bondage",
    "coercion_destination.threats_violence",
]


def _phone(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_interview_to_delivered_referral_in_arabic(
    browser: Any, browser_world: tuple[World, str]
) -> None:
    _world, url = browser_world
    recv = Organisation.objects.create(code="recv-org", name="منظمة الاستقبال")
    officer = User.objects.create(username="recv-officer")
    officer.set_password(PASSWORD)
    officer.save()
    Membership.objects.create(user=officer, organisation=recv, role="field_officer")

    page = _phone(browser)
    log_in(page, url, "u-field_officer", PASSWORD)
    page.click("button[data-lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{url}/identification/")
    page.select_option("#id_list_code", "adult_labour")
    page.select_option("#id_language", "ar")
    page.click("[data-testid=start-interview] button[type=submit]")
    expect(page.locator("h1")).to_have_text("مقابلة تحديد الضحايا")
    page.fill("#id_age", "31")
    page.select_option("#id_sex", "female")
    for key in ANSWERS:
        page.check(f"[data-testid='ind-{key}']")
    expect(page.locator("[data-testid=indicated]")).to_be_visible()  # htmx saved and scored
    screenshot(page, "identification-interview-ar-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    interview = Interview.objects.get()
    assert sorted(interview.present) == sorted(ANSWERS)  # the draft is on the server
    page.click("[data-testid=open-case]")

    expect(page.locator("[data-testid=consent-form]")).to_be_visible()
    page.select_option("#id_purpose", "referral")
    page.select_option("#id_decision", "given")
    page.select_option("#id_given_by", "person")
    page.click("[data-testid=record-consent]")
    expect(page.locator(".msg-success")).to_be_visible()
    page.select_option("#id_receiving_organisation", "recv-org")
    page.select_option("#id_service_type", "shelter")
    page.check("input[name=shared_fields][value=sex]")
    page.check("input[name=shared_fields][value=age]")
    screenshot(page, "identification-refer-ar-phone")
    page.click("[data-testid=send-referral]")
    expect(page.locator("[data-testid=state]")).to_have_text("مُرسلة")
    ref = Referral.objects.get()
    assert ref.shared_fields == ["age", "sex"]

    other = _phone(browser)
    log_in(other, url, "recv-officer", PASSWORD)
    other.click("button[data-lang=ar]")
    other.goto(f"{url}/referrals/{ref.uuid}/")
    expect(other.locator("[data-testid=shared]")).to_contain_text("31")
    expect(other.locator("[data-testid=shared]")).not_to_contain_text("reference")
    other.click("[data-testid=move-accepted]")
    expect(other.locator("[data-testid=state]")).to_have_text("مقبولة")
    other.click("[data-testid=move-delivered]")
    expect(other.locator("[data-testid=state]")).to_have_text("قُدّمت الخدمة")
    screenshot(other, "identification-referral-received-ar-phone")

    # a second referral left unanswered past its deadline shows on the caseload
    late = Referral.objects.create(
        organisation=ref.organisation, receiving_organisation=recv, case=ref.case,
        service_type="medical", sent_at=timezone.now() - dt.timedelta(days=5),
        due_at=timezone.now() - dt.timedelta(days=1), snapshot="{}",
    )  # fmt: skip
    page.goto(f"{url}/caseload/")
    expect(page.locator("[data-testid=overdue]")).to_contain_text("recv-org")
    expect(page.locator(f"[data-testid=overdue] a[href='/referrals/{late.uuid}/']")).to_be_visible()
    screenshot(page, "identification-caseload-ar-phone")
