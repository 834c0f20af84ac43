"""Probe (issue 15, ADR 0053): downloading a batch's results (the names screened) is in the
access log under the batch's organisation, so that its auditors see it; it was logged with
no organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.core.models import AccessLogEntry
from vigie.screening import services
from vigie.screening.tests.factories import SAMPLE, un_xml, write
from vigie.screening.tests.test_batch_review import run_batch
from vigie.testing import World


@pytest.mark.django_db
def test_probe_a_batch_download_is_logged_under_its_organisation(
    world: World, web: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    client = web(world.users["screening_officer"])
    job = run_batch(client, django_capture_on_commit_callbacks)
    response = client.get(f"/screening/jobs/{job.pk}/download/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(object_type="screening.batch", object_id=str(job.pk))
    assert entry.action == "export" and entry.organisation_code == world.own.code
