"""Export for court as a background job: progress, the zip offered to the person who asked
(and only to them), each download in every item's chain of custody; and the cleanup of
abandoned uploads."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.core.actor import Actor
from vigie.core.models import Job
from vigie.evidence import exports, uploads
from vigie.evidence.bag import verify_bag
from vigie.evidence.cli import evidence
from vigie.evidence.models import CustodyEntry, UploadSession
from vigie.evidence.tests.factories import add
from vigie.testing import World


def _start_export(client: Any, case: str, capture: Any) -> Job:
    with capture(execute=True):
        r = client.post("/evidence/export/", {"case": case, "lang": "fr"})
    assert r.status_code == 302 and "/evidence/exports/" in r["Location"], r
    return Job.objects.get(kind="evidence.export")


def test_web_export_runs_as_a_job_and_offers_the_zip(
    world: World, web: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    first = add(world, b"photo bytes", name="camp.jpg", case="EXP-1")
    add(world, b"ledger bytes", name="ledger.txt", case="EXP-1")
    prosecutor = world.users["investigator"]
    client = web(prosecutor)
    job = _start_export(client, "EXP-1", django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.error
    assert (
        job.result["items"] == 2 and job.done == job.total == len(b"photo bytes ledger bytes") - 1
    )
    assert CustodyEntry.objects.filter(event="exported", detail__job=str(job.pk)).count() == 2
    page = client.get(f"/evidence/exports/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/evidence/exports/{job.pk}/download/" in html and "<progress" in html
    partial = client.get(f"/evidence/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'id="export-status"' in partial.content.decode()
    r = client.get(f"/evidence/exports/{job.pk}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    data = b"".join(r.streaming_content)
    fresh = tmp_path / "elsewhere"
    zipfile.ZipFile(io.BytesIO(data)).extractall(fresh)
    assert not verify_bag(fresh, None).problems
    downloaded = CustodyEntry.objects.filter(event="downloaded", detail__export_job=str(job.pk))
    assert downloaded.count() == 2 and {e.actor_name for e in downloaded} == {prosecutor.username}
    assert first.item.custody.filter(event="downloaded").exists()


def test_export_zip_only_for_the_person_who_asked(
    world: World, web: Any, django_capture_on_commit_callbacks: Any
) -> None:
    add(world, b"x", name="x.txt", case="EXP-2")
    job = _start_export(
        web(world.users["investigator"]), "EXP-2", django_capture_on_commit_callbacks
    )
    for role in ("org_admin", "analyst", "data_entry"):
        if role not in world.users:
            continue
        other = web(world.users[role])
        assert other.get(f"/evidence/exports/{job.pk}/download/").status_code in (403, 404)
        assert other.get(f"/evidence/exports/{job.pk}/").status_code in (403, 404)
    assert not CustodyEntry.objects.filter(event="downloaded").exists()


def test_export_refused_early_names_the_case(world: World, web: Any) -> None:
    r = web(world.users["investigator"]).post(
        "/evidence/export/", {"case": "NO-SUCH", "lang": "en"}, follow=True
    )
    assert "NO-SUCH" in r.content.decode()
    assert not Job.objects.filter(kind="evidence.export").exists()


def test_cli_export_is_a_job_with_a_progress_line(world: World, tmp_path: Path) -> None:
    add(world, os.urandom(3 << 20), name="video.mp4", case="EXP-3")
    out = tmp_path / "bag"
    r = CliRunner().invoke(evidence, ["export", "--as-system", "--case", "EXP-3", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Bag of 1 item(s) written to" in r.output and "100%" in r.output
    job = Job.objects.get(kind="evidence.export")
    assert job.status == "succeeded" and job.total == 3 << 20
    assert not verify_bag(out, None).problems


def _upload(world: World, size: int = 10) -> UploadSession:
    session = uploads.start(
        Actor(world.users["investigator"], world.own.pk),
        world.own,
        filename="big.mov",
        size=size,
        fields={"case_ref": "UP-1", "external_case": True},
    )
    uploads.append(session, 0, io.BytesIO(b"12345"), 5)
    return session


def _age(session: UploadSession, hours: float) -> None:
    when = time.time() - hours * 3600
    if uploads.partial_path(session).exists():  # a finished upload's file is gone
        os.utime(uploads.partial_path(session), (when, when))
    UploadSession.objects.filter(pk=session.pk).update(
        created_at=session.created_at - dt.timedelta(hours=hours)
    )


def test_cleanup_removes_only_abandoned_uploads(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    old, fresh = _upload(world), _upload(world)
    done = _upload(world, size=5)
    uploads.complete(Actor(world.users["investigator"], world.own.pk), done)
    _age(old, 50)
    _age(done, 50)
    stray = uploads.partial_path(old).with_name("00000000-0000-4000-8000-00000000abcd.part")
    stray.write_bytes(b"left by a crash")
    os.utime(stray, (time.time() - 100 * 3600,) * 2)
    with caplog.at_level("INFO", logger="vigie.evidence"):
        r = CliRunner().invoke(evidence, ["cleanup-uploads", "--older-than", "48"])
    assert r.exit_code == 0, r.output
    assert "Removed 2 abandoned upload(s)" in r.output
    assert not UploadSession.objects.filter(pk=old.pk).exists()
    assert not uploads.partial_path(old).exists() and not stray.exists()
    assert UploadSession.objects.filter(pk=fresh.pk).exists()
    assert uploads.partial_path(fresh).exists()
    assert UploadSession.objects.filter(pk=done.pk).exists()  # finished: kept as a record
    assert f"removed abandoned upload {old.uuid}" in caplog.text
    job = Job.objects.get(kind="evidence.cleanup")
    assert job.status == "succeeded" and job.result["uploads_removed"] == 2


def test_starting_an_upload_sweeps_at_most_hourly(world: World) -> None:
    old = _upload(world)  # the first start sweeps (nothing to remove yet) and marks the time
    _age(old, 50)
    _upload(world)  # within the hour: no sweep
    assert UploadSession.objects.filter(pk=old.pk).exists()
    marker = uploads.partial_path(old).parent / ".last-sweep"
    os.utime(marker, (time.time() - 2 * 3600,) * 2)
    _upload(world)
    assert not UploadSession.objects.filter(pk=old.pk).exists()


def test_old_export_archives_are_removed(world: World) -> None:
    folder = exports.exports_dir() / "00000000-0000-4000-8000-0000000000ff"
    folder.mkdir()
    (folder / "evidence-X.zip").write_bytes(b"zip")
    os.utime(folder, (time.time() - 8 * 24 * 3600,) * 2)
    assert exports.remove_old_archives() == 1 and not folder.exists()
