"""A screening officer searches a name, screens a batch file with a progress bar and
downloads the results, and reviews a potential match — in English, French and Arabic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.actor import Actor
from vigie.screening import selectors, services
from vigie.screening.models import Hit
from vigie.screening.tests.factories import SAMPLE, un_xml, write
from vigie.testing import World

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


def test_search_batch_and_review(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    world, url = browser_world
    services.load_list(write(tmp_path, "un.xml", un_xml(SAMPLE)))
    selectors.screening_index()  # warm the name tagger and the index in this process
    log_in(page, url, "u-screening_officer", PASSWORD)

    page.goto(f"{url}/screening/search/")
    page.fill("#id_name", "Muhammad Abd al-Qadir")
    page.click("[data-testid=search-submit]")
    first = page.locator("[data-testid=result]").first
    expect(first).to_contain_text("LYi.902")
    expect(first.locator("[data-testid=listing]")).to_contain_text("Libya")  # measures
    first.locator("summary", has_text="Why").click()
    expect(first).to_contain_text("Closeness of the spelling")
    expect(first).not_to_contain_text("jaro_winkler")
    screenshot(page, "screening-search-en")

    page.fill("#id_name", "Zzyx Unlisted Person")
    page.click("[data-testid=search-submit]")
    expect(page.locator("[data-testid=no-match]")).to_be_visible()
    assert page.input_value("#id_name") == "Zzyx Unlisted Person"

    csv_file = write(
        tmp_path,
        "suppliers.csv",
        "Supplier ID,Supplier name\nS-1,Ermias Gebray\nS-2,Sahel Water SARL\n",
    )
    page.goto(f"{url}/screening/batch/")
    page.set_input_files("#id_file", str(csv_file))
    page.click("[data-testid=upload]")
    expect(page.locator("[data-testid=mapping-form]")).to_be_visible()
    page.select_option("#id_name", "Supplier name")
    page.select_option("#id_id", "Supplier ID")
    screenshot(page, "screening-batch-mapping-en")
    page.click("[data-testid=start-batch]")
    expect(page.locator("[data-testid=job]")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("progress")).to_have_attribute("value", "100")
    screenshot(page, "screening-batch-done-en")
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert "LYi.901" in body and "S-2" in body

    services.create_subject(
        world.users["screening_officer"], world.own, name="Ermias Gebray", kind="Person"
    )
    page.click("button[data-lang=fr]")
    page.goto(f"{url}/screening/review/")
    expect(page.locator("h1")).to_have_text("File d'examen")
    # the batch's row S-1 is in the queue too (ADR 0541); decide the saved subject's hit
    expect(page.locator("[data-testid=hit] [data-testid=from-batch]")).to_have_count(1)
    hit = page.locator("[data-testid=hit]", has_not=page.locator("[data-testid=from-batch]"))
    expect(hit).to_contain_text("LYi.901")
    hit.locator("select").select_option("false_positive")
    hit.locator("input[name=reason]").fill("Date de naissance différente")
    screenshot(page, "screening-review-fr")
    hit.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=hit]")).to_have_count(1)  # the batch row's, still open
    assert Hit.objects.exclude(subject__purpose="batch").get().status == "false_positive"

    page.click("button[data-lang=ar]")
    page.goto(f"{url}/screening/search/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#id_name", "محمد عبد القادر")
    page.click("[data-testid=search-submit]")
    expect(page.locator("[data-testid=result]").first).to_contain_text("LYi.902")
    screenshot(page, "screening-search-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/screening/lists/")
    screenshot(page, "screening-lists-ar-phone")


def test_case_page_shows_perpetrator_screening(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    import copy

    from vigie.cases import services as case_services
    from vigie.cases.tests.conftest import RECORD
    from vigie.screening.tests.factories import un_entity

    world, url = browser_world
    entities = [un_entity("QDe.115", "Al-Qaida in Iraq")]
    services.load_list(write(tmp_path, "un.xml", un_xml(SAMPLE, entities)))
    record = copy.deepcopy(RECORD)
    record["perpetrators"].append({"kind": "person", "name": "Ermies Testfai"})
    case = case_services.save_record(
        Actor(world.users["case_manager"], world.own.pk), world.own, record
    )
    log_in(page, url, "u-investigator", PASSWORD)
    page.goto(f"{url}/cases/{case.uuid}/")
    panel = page.locator("[data-testid=case-screening]")
    expect(panel).to_contain_text("LYi.901")
    expect(panel).to_contain_text("QDe.115")
    screenshot(page, "screening-case-panel-en")
    page.click("button[data-lang=fr]")
    expect(page.locator("#h-screening")).to_have_text("Filtrage des sanctions")
    panel.scroll_into_view_if_needed()
    screenshot(page, "screening-case-panel-fr")
    page.click("button[data-lang=ar]")
    page.set_viewport_size({"width": 390, "height": 844})
    panel.scroll_into_view_if_needed()
    screenshot(page, "screening-case-panel-ar-phone")


def test_plain_explanation_and_listing_in_english_and_arabic(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    world, url = browser_world
    services.load_list(write(tmp_path, "un.xml", un_xml(SAMPLE)))
    services.create_subject(
        world.users["screening_officer"], world.own, name="Ermias Gebray", kind="Person"
    )
    log_in(page, url, "u-screening_officer", PASSWORD)
    page.goto(f"{url}/screening/search/")
    page.fill("#id_name", "Ermyas Testfay")
    page.click("[data-testid=search-submit]")
    first = page.locator("[data-testid=result]").first
    expect(first.locator("[data-testid=plain]")).to_contain_text("spelled a little differently")
    screenshot(page, "screening-plain-search-en")

    page.goto(f"{url}/screening/review/")
    hit = page.locator("[data-testid=hit]").first
    expect(hit.locator("[data-testid=plain]")).to_contain_text("matched on an alias")
    hit.locator("[data-testid=listing] summary").click()
    expect(hit.locator("[data-testid=listing]")).to_contain_text("1980-04-15")
    expect(hit.locator("[data-testid=listing]")).to_contain_text("Ermies Gebrai")
    screenshot(page, "screening-review-listing-en")

    page.click("button[data-lang=ar]")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/screening/review/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    hit = page.locator("[data-testid=hit]").first
    expect(hit.locator("[data-testid=plain]")).to_contain_text("تمت المطابقة باسم مستعار")
    hit.locator("[data-testid=listing] summary").click()
    expect(hit.locator("[data-testid=listing]")).to_contain_text("تاريخ الإدراج")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the review page scrolls sideways at 390 px ({width} px)"
    screenshot(page, "screening-review-listing-ar-phone")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_batch_hits_on_screen_and_in_the_review_queue_at_phone_width(
    page: Any, browser_world: tuple[World, str], tmp_path: Path, lang: str
) -> None:
    """Issue 16: run a small batch at 390 px, see its hits with the listing, filter them,
    open one in the review queue and decide it."""
    _world, url = browser_world
    services.load_list(write(tmp_path, "un.xml", un_xml(SAMPLE)))
    selectors.screening_index()
    log_in(page, url, "u-screening_officer", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    if lang != "en":
        page.click(f"button[data-lang={lang}]")
    csv_file = write(
        tmp_path,
        "counterparties.csv",
        "Ref,Counterparty\nC-1,Ermias Gebray\nC-2,Sahel Water SARL\n"
        "C-3,Mohammed Abdelkader Al-Synthetic\n",
    )
    page.goto(f"{url}/screening/batch/")
    page.set_input_files("#id_file", str(csv_file))
    page.click("[data-testid=upload]")
    page.select_option("#id_name", "Counterparty")
    page.select_option("#id_id", "Ref")
    page.click("[data-testid=start-batch]")
    expect(page.locator("[data-testid=job]")).to_have_attribute("data-status", "succeeded")
    screenshot(page, f"screening-batch-done-{lang}-phone")
    page.click("[data-testid=batch-hits]")
    hits = page.locator("[data-testid=batch-hit]")
    expect(hits.first).to_be_visible()
    assert hits.count() >= 2
    expect(page.locator("main")).to_contain_text("LYi.901")
    expect(page.locator("main")).not_to_contain_text("Sahel Water")
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
        expect(page.locator("h1")).to_have_text("نتائج الفحص الجماعي")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the batch results scroll sideways at 390 px ({width} px)"
    screenshot(page, f"screening-batch-hits-{lang}-phone")

    page.select_option("#id_watchlist", "un-sc")
    page.fill("#id_min_score", "0.5")
    page.locator("[data-testid=batch-filters] button").click()
    expect(hits.first).to_be_visible()

    first = page.locator("[data-testid=batch-hit]", has_text="LYi.901").first
    first.locator("[data-testid=open-review]").click()
    expect(page.locator("[data-testid=review-filtered]")).to_be_visible()
    one = page.locator("[data-testid=hit]")
    expect(one).to_have_count(1)
    expect(one).to_contain_text("LYi.901")
    expect(one.locator("[data-testid=from-batch]")).to_be_visible()
    one.locator("select").select_option("false_positive")
    one.locator("input[name=reason]").fill("different date of birth")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the review page scrolls sideways at 390 px ({width} px)"
    screenshot(page, f"screening-batch-review-{lang}-phone")
    one.locator("[data-testid=decide]").click()
    expect(page.locator("[data-testid=hit]")).to_contain_text(
        "False positive" if lang == "en" else "إيجابية كاذبة"
    )
    decided = Hit.objects.get(entry__reference="LYi.901", subject__purpose="batch")
    assert decided.status == "false_positive"
