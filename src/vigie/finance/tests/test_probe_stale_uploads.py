"""Probe (ADR 0053): the upload of a failed or abandoned transaction import does not stay on
disk for ever. It is kept (encrypted) for a retry, then removed by the hourly cleanup after
``uploads.STALE_HOURS``, as case import uploads are; a queued import's file is kept."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.core.models import Job
from vigie.finance import tasks, uploads
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_probe_a_failed_imports_upload_is_swept_after_its_retention(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api(world.users["financial_analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/api/finance/files/",
            {"file": SimpleUploadedFile("tx.csv", b"not,a\ntransaction,file\n", "text/csv")},
            format="multipart",
        )
    assert sent.status_code == 202, sent.content
    failed = Job.objects.get(pk=sent.json()["job"])
    assert failed.status == Job.Status.FAILED
    kept = Path(failed.params["path"])
    assert kept.is_file(), "a failed import keeps its file for a retry"
    queued_file = uploads.upload_dir() / "queued.csv"
    queued_file.write_bytes(b"encrypted bytes")
    Job.objects.create(kind=tasks.IMPORT, organisation=world.own, params={"path": str(queued_file)})
    fresh = uploads.upload_dir() / "fresh.csv"
    fresh.write_bytes(b"encrypted bytes")
    for path in (kept, queued_file):
        _age(path, uploads.STALE_HOURS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.hourly_cleanup.call_local()
    job = Job.objects.get(kind=tasks.CLEANUP)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result == {"uploads_removed": 1}
    assert not kept.exists()
    assert queued_file.exists() and fresh.exists()
