"""A field officer records a case in Arabic on a phone-sized screen, with the keyboard; a failed
submit keeps what was typed; then the case list and page, in English and French."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import ARTIFACTS, log_in, screenshot
from vigie.cases.models import Case, Victim
from vigie.testing import SYSTEM, World

pytestmark = pytest.mark.browser


def close_up(locator: Any, name: str) -> None:
    """A screenshot of one part of the page (next to vigie.browser.screenshot's full pages)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / f"{name}.png"))


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
    page.fill("#id_vic-0-family_name", "Demo-Kala")
    page.select_option("#id_vic-0-sex", "female")
    page.fill("#id_vic-0-age_at_identification", "14")
    # a second person recorded individually, added in place with the keyboard (issue 14)
    page.focus("[data-testid=add-vic]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_vic-1-given_name")).to_be_focused()
    page.select_option("#id_vic-1-sex", "male")
    page.fill("#id_vic-1-age_at_identification", "12")
    page.locator("#vic-1").scroll_into_view_if_needed()
    screenshot(page, "case-form-two-people-ar-phone")
    page.fill("#id_event_date_start", "2017-03-01")
    page.fill("#id_event_date_end", "2016-01-01")  # before the start
    page.check("input[name=exp-0-forms][value=suicide_attack]")
    # two places on the route (the form opens with two rows), then a third added in place
    page.select_option("#id_leg-0-country", "NG")
    page.fill("#id_leg-0-area", "Borno")
    page.select_option("#id_leg-0-role", "origin")
    page.select_option("#id_leg-1-country", "CM")
    page.select_option("#id_leg-1-role", "transit")
    page.click("[data-testid=add-leg]")
    expect(page.locator("#id_leg-2-country")).to_be_focused()  # keyboard users land on it
    page.select_option("#id_leg-2-country", "NE")
    page.fill("#id_leg-2-area", "Diffa")
    page.fill("#id_leg-2-latitude", "13.31")
    page.fill("#id_leg-2-longitude", "12.61")
    page.select_option("#id_leg-2-role", "exploitation")
    # two perpetrators: the first row, and one added with the keyboard
    page.select_option("#id_perp-0-group_code", "boko_haram")
    page.select_option("#id_perp-0-role", "exploiter")
    page.focus("[data-testid=add-perp]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_perp-1-perpetrator_type")).to_be_focused()
    page.select_option("#id_perp-1-perpetrator_type", "individual")
    page.select_option("#id_perp-1-role", "recruiter")
    page.locator("#step-perpetrator").scroll_into_view_if_needed()
    screenshot(page, "case-form-rows-ar-phone")
    # an incident reported as counts, added with the keyboard; the total follows the typing
    page.focus("[data-testid=add-inc]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_inc-0-description")).to_be_focused()
    page.keyboard.type("School raid, children taken")
    page.fill("#id_inc-0-date_start", "2017-02-10")
    page.select_option("#id_inc-0-country", "NG")
    page.fill("#id_inc-0-area", "Borno")
    page.select_option("#id_inc-0-armed_group", "boko_haram")
    page.locator("#inc-0 details.choices summary").first.click()  # the list opens
    page.check("input[name=inc-0-forms][value=suicide_attack]")
    page.fill("#id_inc-0-count_female_child", "55")
    page.fill("#id_inc-0-count_male_child", "28")
    page.fill("#id_inc-0-count_unknown_adult", "-2")  # a typing slip, refused below
    expect(page.locator("#inc-0 [data-count-total]")).to_have_text("83")
    page.check("#id_inc-0-includes_person")
    # a referral (the form opens with one row)
    page.select_option("#id_ref-0-service", "psychosocial")
    page.fill("#id_ref-0-receiving_organisation_name", "Partner clinic")
    page.select_option("#id_ref-0-status", "accepted")
    page.fill("#id_ref-0-referred_on", "2017-09-01")
    page.select_option("#id_investigation_status", "investigation")
    page.locator("#inc-0 [data-count-grid]").scroll_into_view_if_needed()
    screenshot(page, "case-form-incident-ar-phone")
    page.focus("[data-testid=save]")
    page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#id_vic-0-family_name")).to_have_value("Demo-Kala")
    expect(page.locator("#id_vic-1-sex")).to_have_value("male")
    expect(page.locator("input[name=exp-0-forms][value=suicide_attack]")).to_be_checked()
    # the rows added in the page are still there after the failed submit
    expect(page.locator("#id_leg-2-area")).to_have_value("Diffa")
    expect(page.locator("#id_perp-1-role")).to_have_value("recruiter")
    screenshot(page, "case-form-error-ar-phone")
    # the bad count is marked in the grid and named under it; the other counts are kept
    expect(page.locator("#id_inc-0-count_unknown_adult")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_inc-0-count_unknown_adult")).to_have_value("-2")
    expect(page.locator("#id_inc-0-count_unknown_adult_error")).to_be_visible()
    expect(page.locator("#id_inc-0-count_female_child")).to_have_value("55")
    expect(page.locator("#id_ref-0-receiving_organisation_name")).to_have_value("Partner clinic")
    close_up(page.locator("#inc-0"), "case-form-incident-error-ar-phone")

    page.fill("#id_inc-0-count_unknown_adult", "2")
    expect(page.locator("#inc-0 [data-count-total]")).to_have_text("85")
    page.fill("#id_event_date_end", "2017-08-22")
    page.click("[data-testid=save]")
    expect(page.locator(".msg-success")).to_be_visible()
    case = Case.objects.get()
    assert case.conflict_situation == "lake_chad_basin"
    first, second = Victim.objects.filter(case=case).order_by("pk")
    assert first.family_name == "Demo-Kala"
    assert (second.sex, second.age_at_identification) == ("male", 12)
    assert list(case.route.order_by("sequence").values_list("country", flat=True)) == [
        "NG",
        "CM",
        "NE",
    ]
    assert case.perpetrators.count() == 2
    incident = case.incidents.get()
    assert (incident.counted, incident.armed_group) == (85, "boko_haram")
    assert first.incident == incident and second.incident is None
    referral = case.referrals.get()
    assert (referral.service, referral.status) == ("psychosocial", "accepted")
    assert case.investigation_status == "investigation"
    expect(page.locator("#route-map")).to_have_attribute("data-ready", "true")
    expect(page.locator("#route-map .route-point")).to_have_count(3)
    expect(page.locator("#route-map .route-arrow")).to_have_count(2)
    expect(page.locator("#route-legs li")).to_have_count(3)
    page.locator("#h-route").scroll_into_view_if_needed()
    screenshot(page, "case-detail-ar-phone")
    expect(page.locator("body")).not_to_contain_text("Demo-Kala")
    expect(page.locator(".count-table tfoot td").first).to_have_text("85")
    close_up(page.locator("section.incident").first, "case-detail-incident-ar-phone")
    close_up(page.locator("section:has(#h-assistance)"), "case-detail-assistance-ar-phone")
    page.click("[data-testid=show-identity]")
    expect(page.locator("body")).to_contain_text("Demo-Kala")
    # the same page and the edit form in English, on the phone
    page.click("button[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#h-assistance")).to_have_text("Assistance and justice")
    close_up(page.locator("section.incident").first, "case-detail-incident-en-phone")
    page.goto(f"{url}/cases/{case.uuid}/edit/")
    expect(page.locator("#id_inc-0-count_female_child")).to_have_value("55")
    expect(page.locator("#inc-0 [data-count-total]")).to_have_text("85")
    close_up(page.locator("#step-incidents"), "case-form-incident-en-phone")
    close_up(page.locator("#step-assistance"), "case-form-assistance-en-phone")
    context.close()


def test_list_filters_in_english_and_french(page: Any, browser_world: tuple[World, str]) -> None:
    import random

    from vigie.cases import services
    from vigie.devtools import case_records

    world, url = browser_world
    for record in case_records.synthetic_records(random.Random(5), 40):
        services.save_record(SYSTEM, world.own, record)
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
    from vigie.devtools.shared_data import SHARED_DATA

    _world, url = browser_world
    log_in(page, url, "u-case_manager", "correct-horse-battery")
    page.click("button[data-lang=en]")
    page.goto(f"{url}/import/cases/")
    screenshot(page, "cases-import-en")
    page.set_input_files(
        "#id_file", str(SHARED_DATA / "ctdc" / "human_traffick_sample_dataset.csv")
    )
    page.click("[data-testid=upload]")
    expect(page.locator("[data-testid=layout]")).to_have_text("CTDC")
    screenshot(page, "cases-import-preview-en")
    page.click("[data-testid=check]")
    expect(page.locator("#import-progress")).to_contain_text("104 rows checked", timeout=30000)
    assert Case.objects.count() == 0
    screenshot(page, "cases-import-checked-en")
    page.click("[data-testid=confirm]")
    expect(page.locator("#import-progress")).to_contain_text("104 rows read", timeout=30000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    screenshot(page, "cases-import-done-en")
    assert Case.objects.count() == 104


def test_import_with_a_mapping_profile_in_french(
    page: Any, browser_world: tuple[World, str], tmp_path: Any
) -> None:
    _world, url = browser_world
    other = tmp_path / "partenaire.csv"
    other.write_text(
        "Dossier,Sexe,Age,Pays\nD-1,F,14,NG\nD-2,H,30,LY\nD-3,F,17,NG\n", encoding="utf-8"
    )
    log_in(page, url, "u-case_manager", "correct-horse-battery")
    page.click("button[data-lang=fr]")
    page.goto(f"{url}/import/cases/")
    page.set_input_files("#id_file", str(other))
    page.click("[data-testid=upload]")
    page.select_option("#id_col-0", "case.source_record_id")
    page.select_option("#id_col-1", "victim.sex")
    page.select_option("#id_col-2", "victim.age_at_identification")
    page.select_option("#id_col-3", "exploitation.country")
    page.click("button[name=action][value=apply]")
    page.select_option("#id_val-1-0", "female")
    page.select_option("#id_val-1-1", "male")
    page.fill("#id_profile_name", "Partenaire A")
    screenshot(page, "cases-import-mapping-fr")
    page.click("[data-testid=save-profile]")
    expect(page.locator(".msg-success")).to_contain_text("Partenaire A")
    expect(page.locator("#id_val-1-1")).to_have_value("male")
    page.click("[data-testid=check]")
    expect(page.locator("#import-progress")).to_contain_text("3", timeout=30000)
    page.click("[data-testid=confirm]")
    expect(page.locator("#import-bar")).to_have_attribute("value", "100", timeout=30000)
    assert sorted(Victim.objects.values_list("sex", flat=True)) == ["female", "female", "male"]
    page.goto(f"{url}/import/profiles/")
    expect(page.locator("table")).to_contain_text("Partenaire A")
    screenshot(page, "cases-profiles-fr")
