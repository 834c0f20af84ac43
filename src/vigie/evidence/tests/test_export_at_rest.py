"""Issue 15: an export archive kept for a week in the data directory is encrypted at rest;
it is decrypted as it is downloaded, and still a valid bag."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from vigie.core.models import Job
from vigie.evidence import exports
from vigie.evidence.bag import verify_bag
from vigie.evidence.tests.factories import add
from vigie.testing import World

SECRET = b"Qzvx witness named in the ledger " * 40


def test_the_archive_is_encrypted_on_disk_and_plain_when_downloaded(
    world: World, web: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    add(world, SECRET, name="ledger.txt", case="EXP-9", place="Qzvx village")
    client = web(world.users["investigator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/evidence/export/", {"case": "EXP-9", "lang": "en"})
    job = Job.objects.get(kind="evidence.export")
    assert job.status == "succeeded", job.error
    archive = exports.archive_of(job)
    assert archive is not None
    on_disk = archive.read_bytes()
    assert not on_disk.startswith(b"PK") and b"Qzvx" not in on_disk
    for path in exports.exports_dir().rglob("*"):
        assert not path.is_file() or b"Qzvx" not in path.read_bytes(), path
    r = client.get(f"/evidence/exports/{job.pk}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    data = b"".join(r.streaming_content)
    assert int(r["Content-Length"]) == len(data) == job.result["zip_bytes"]
    fresh = tmp_path / "bag"
    zipfile.ZipFile(io.BytesIO(data)).extractall(fresh)
    assert not verify_bag(fresh, None).problems
