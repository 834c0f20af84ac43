"""Attacker's probe (ADR 0057, 0059): a background job that crashes on a record must not
repeat the record's values in the job's error (shown to the organisation's administrators,
who may lack the identity permission) nor in the server log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from vigie.core import jobs
from vigie.core.models import Job
from vigie.testing import World

MARK = "Zarqa-Identity-7731"


@jobs.handler("test.crash_on_identity")
def crash(job: Job, progress: jobs.Progress) -> None:
    try:
        {}[MARK]
    except KeyError:
        int(f"{MARK} 1990-13-45")  # ValueError: invalid literal for int() ... 'Zarqa-…'


@pytest.mark.django_db
def test_a_crashed_job_keeps_no_value_in_its_error_nor_in_the_log(
    world: World, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    job = Job.objects.create(
        kind="test.crash_on_identity", created_by=world.users["analyst"], organisation=world.own
    )
    with caplog.at_level(logging.DEBUG):
        jobs.run_now(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("ValueError") and MARK not in job.error
    logged = "\n".join([r.getMessage() for r in caplog.records] + [caplog.text])
    assert "crash_on_identity" in logged and "ValueError <- KeyError" in logged
    assert MARK not in logged
    shown = api(world.users["org_admin"]).get(f"/api/jobs/{job.pk}/")
    assert shown.status_code == 200 and MARK not in shown.content.decode()
