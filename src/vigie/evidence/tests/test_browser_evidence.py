"""A person uploads a large file (interrupted, then resumed), reads its custody history, and
exports the case for court — in English, French, Arabic and on a phone-sized screen."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.evidence.bag import verify_bag
from vigie.evidence.models import Item, UploadSession
from vigie.testing import World

pytestmark = pytest.mark.browser


def test_upload_resume_custody_export(
    page: Any, browser_world: tuple[World, str], tmp_path: Path
) -> None:
    world, url = browser_world
    user = world.users["investigator"]
    log_in(page, url, user.username, "correct-horse-battery")
    page.click("button[data-lang=en]")
    page.goto(f"{url}/evidence/")
    expect(page.locator(".empty")).to_contain_text("No evidence yet")
    page.click("[data-testid=add-evidence]")

    data = os.urandom(3 * 1024 * 1024 + 123)
    page.set_input_files(
        "#id_file", {"name": "interview.mp4", "mimeType": "video/mp4", "buffer": data}
    )
    page.fill("#id_case_ref", "C-BROWSER")
    page.check("#id_external_case")
    page.fill("#id_place", "Sinjar (synthetic)")
    page.fill("#id_collected_by", "Team 3")

    # The connection drops on the third chunk.
    puts = {"n": 0}

    def flaky(route: Any) -> None:
        if route.request.method == "PUT":
            puts["n"] += 1
            if puts["n"] == 3:
                route.abort()
                return
        route.continue_()

    page.route("**/api/evidence/uploads/**", flaky)
    page.click("[data-testid=upload]")
    expect(page.locator("#upload-error")).to_be_visible()
    expect(page.locator("#upload-error")).to_contain_text("choose the same file again")
    session = UploadSession.objects.get()
    assert session.received == 2 * 1024 * 1024
    screenshot(page, "evidence-upload-interrupted-en")

    page.click("[data-testid=upload]")  # same file still chosen: resumes
    expect(page.locator("#upload-done")).to_be_visible(timeout=20000)
    expect(page.locator("#upload-progress")).to_have_attribute("value", str(len(data)))
    expect(page.locator("#upload-status")).to_contain_text(hashlib.sha256(data).hexdigest())
    assert UploadSession.objects.count() == 1 and puts["n"] == 5  # 2 + 1 failed + 2
    screenshot(page, "evidence-upload-done-en")

    page.click("#upload-link")
    expect(page.locator("h1")).to_contain_text("interview.mp4")
    expect(page.locator("[data-testid=custody]")).to_contain_text("received")
    page.click("[data-testid=verify]")
    expect(page.locator("[data-testid=verify-result]")).to_contain_text("Intact")
    screenshot(page, "evidence-item-en")
    item = Item.objects.get()
    assert item.place == "Sinjar (synthetic)"

    page.click("button[data-lang=fr]")
    expect(page.locator("#cust-h")).to_have_text("Chaîne de possession")
    screenshot(page, "evidence-item-fr")
    page.click("button[data-lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "evidence-item-ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("button[data-lang=fr]")
    page.goto(f"{url}/evidence/?case=C-BROWSER")
    screenshot(page, "evidence-list-phone-fr")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.fill("#id_case", "C-BROWSER")
    page.click("[data-testid=export]")  # a background job: its page follows it
    expect(page).to_have_url(re.compile(r"/evidence/exports/[0-9a-f-]{36}/$"))
    expect(page.locator("#export-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#export-status progress")).to_have_attribute("value", str(len(data)))
    screenshot(page, "evidence-export-job-fr")
    with page.expect_download() as info:
        page.click("[data-testid=export-download]")
    archive = tmp_path / "bag.zip"
    info.value.save_as(archive)
    zipfile.ZipFile(io.BytesIO(archive.read_bytes())).extractall(tmp_path / "bag")
    assert verify_bag(tmp_path / "bag").problems == []
    events = list(item.custody.values_list("event", flat=True))
    assert events[:2] == ["collected", "received"] and events[-2:] == ["exported", "downloaded"]
    page.goto(f"{url}/evidence/{item.uuid}/")
    expect(page.locator("[data-testid=custody]")).to_contain_text("exportée")  # French now
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/evidence/?case=C-BROWSER")
    screenshot(page, "evidence-list-after-export-phone-fr")
