"""A field officer records a case in Arabic on a phone-sized screen, with the keyboard; a failed
submit keeps what was typed; then the case list and page, in English and French."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.cases.models import Case, Victim
from vigie.testing import World

pytestmark = pytest.mark.browser


def test_create_case_in_arabic_on_a_phone(browser: Any, browser_world: tuple[World, str]) -> None:
    _world, url = browser_world
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, url, "u-field_officer", "correct-horse-battery")
    page.click("button[data-lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{url}/cases/")
    expect(page.locator("h1")).to_have_text("الحالات")
    screenshot(page, "cases-empty-ar-phone")

    page.goto(f"{url}/cases/new/")
    page.select_option("#id_source_type", "mrm")
    page.select_option("#id_conflict_situation", "lake_chad_basin")
    page.fill("#id_victim-family_name", "Demo-Kala")
    page.select_option("#id_victim-sex", "female")
    page.fill("#id_victim-age_at_identification", "14")
    page.fill("#id_event_date_start", "2017-03-01")
    page.fill("#id_event_date_end", "2016-01-01")  # before the start
    page.check("input[name=exp-forms][value=suicide_attack]")
    page.select_option("#id_leg1-country", "NG")
    page.focus("[data-testid=save]")
    page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#id_victim-family_name")).to_have_value("Demo-Kala")
    expect(page.locator("input[name=exp-forms][value=suicide_attack]")).to_be_checked()
    screenshot(page, "case-form-error-ar-phone")

    page.fill("#id_event_date_end", "2017-08-22")
    page.click("[data-testid=save]")
    expect(page.locator(".msg-success")).to_be_visible()
    screenshot(page, "case-detail-ar-phone")
    case = Case.objects.get()
    assert case.conflict_situation == "lake_chad_basin"
    assert Victim.objects.get().family_name == "Demo-Kala"
    expect(page.locator("body")).not_to_contain_text("Demo-Kala")
    page.click("[data-testid=show-identity]")
    expect(page.locator("body")).to_contain_text("Demo-Kala")
    context.close()


def test_list_filters_in_english_and_french(page: Any, browser_world: tuple[World, str]) -> None:
    import random

    from vigie.cases import generate, services

    world, url = browser_world
    for record in generate.synthetic_records(random.Random(5), 40):
        services.save_record(None, world.own, record)
    log_in(page, url, "u-analyst", "correct-horse-battery")
    page.click("button[data-lang=en]")
    page.goto(f"{url}/cases/")
    page.select_option("#f-situation", "iraq")
    page.click(".filters button[type=submit]")
    expect(page.locator("table tbody tr").first).to_contain_text("Iraq")
    screenshot(page, "cases-list-filtered-en")
    page.locator("table tbody tr a").first.click()
    expect(page.locator("h2#h-route")).to_be_visible()
    expect(page.locator("[data-testid=show-identity]")).to_have_count(0)
    screenshot(page, "case-detail-en")
    page.click("button[data-lang=fr]")
    expect(page.locator("body")).to_contain_text("Itinéraire")
    screenshot(page, "case-detail-fr")


def test_import_page_shows_progress_and_report(
    page: Any, browser_world: tuple[World, str], settings: Any
) -> None:
    from vigie.testing import SHARED_DATA

    _world, url = browser_world
    log_in(page, url, "u-case_manager", "correct-horse-battery")
    page.click("button[data-lang=en]")
    page.goto(f"{url}/import/cases/")
    screenshot(page, "cases-import-en")
    page.set_input_files(
        "#id_file", str(SHARED_DATA / "ctdc" / "human_traffick_sample_dataset.csv")
    )
    page.click("form.card button[type=submit]")
    expect(page.locator("#import-progress")).to_contain_text("104 rows read", timeout=30000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    screenshot(page, "cases-import-done-en")
    assert Case.objects.count() == 104
