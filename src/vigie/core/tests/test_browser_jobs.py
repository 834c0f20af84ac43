"""A person follows a background job: the progress bar moves without reloading the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vigie.browser import log_in, screenshot
from vigie.core.models import Job
from vigie.testing import World

pytestmark = pytest.mark.browser


def test_job_page_follows_progress(page: Any, browser_world: tuple[World, str]) -> None:
    world, url = browser_world
    owner = world.users["case_manager"]
    job = Job.objects.create(
        kind="cases.import",
        created_by=owner,
        organisation=world.own,
        status=Job.Status.RUNNING,
        total=1200,
        done=480,
        message="row 480 of 1200",
        heartbeat_at=timezone.now(),
    )
    log_in(page, url, owner.username, "correct-horse-battery")
    page.click("button[data-lang=en]")
    page.goto(f"{url}/jobs/{job.pk}/")
    bar = page.locator("#job-progress progress")
    expect(bar).to_have_attribute("value", "480")
    screenshot(page, "job-running-en")

    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED,
        done=731,
        error="file cases.csv, row 732, column 'sex': 'X' is not a code of the sex list",
        finished_at=timezone.now(),
    )
    expect(page.locator("[data-testid=job-status]")).to_have_text("Failed", timeout=5000)
    expect(page.locator("#job-progress [role=alert]")).to_contain_text("row 732")
    expect(page.get_by_role("button", name="Run again")).to_be_visible()
    screenshot(page, "job-failed-en")

    page.click("button[data-lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "job-failed-ar")
    page.goto(f"{url}/jobs/")
    expect(page.locator("table")).to_contain_text("استيراد حالات")  # the kind in words
    screenshot(page, "jobs-ar")
