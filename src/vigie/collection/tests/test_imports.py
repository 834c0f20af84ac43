"""Importing KoBoToolbox and ODK Central exports (issue 19 item 5): the formats as those
servers write them (synthetic rows), repeat groups joined to their submission, every bad row
reported with file, row, column, value and why, a background job with a report, resumable."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from vigie.collection import imports, mapping, services
from vigie.collection.models import Attachment, Submission
from vigie.collection.tasks import IMPORT
from vigie.collection.tests.test_repeats import HOUSEHOLD, RULES
from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job
from vigie.testing import World

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0 synthetic photo"


@pytest.fixture
def form(world: World) -> Any:
    actor = Actor(user=world.users["case_manager"])
    version = services.publish_form(actor, HOUSEHOLD.read_bytes(), HOUSEHOLD.name, [world.own])
    services.save_mapping(actor, version.form, world.own, "Household interview", RULES)
    return version.form


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def central_zip(tmp_path: Path) -> Path:
    """ODK Central's "All data and media files": main CSV, one CSV per repeat, media/."""
    main = [
        ["SubmissionDate", "start", "source", "place", "photo", "meta-instanceID", "KEY",
         "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
         "ReviewState", "DeviceID", "Edits", "FormVersion"],
        ["2026-12-01T10:00:00Z", "2026-12-01T09:00:00Z", "hotline", "Camp 1", "a.jpg",
         "uuid:c-1", "uuid:c-1", "5", "team", "1", "1", "", "", "", "0", "2026120601"],
        ["2026-12-01T11:00:00Z", "", "outreach", "Camp 2", "b.jpg", "uuid:c-2", "uuid:c-2",
         "5", "team", "1", "1", "", "", "", "0", "2026120601"],
        ["2026-12-01T12:00:00Z", "", "hotline", "Camp 3", "", "", "", "5", "team", "0", "0",
         "", "", "", "0", "2026120601"],  # no instance ID: reported, not imported
        ["2026-12-01T13:00:00Z", "", "hotline", "Camp 1", "", "uuid:c-1", "uuid:c-1", "5",
         "team", "0", "0", "", "", "", "0", "2026120601"],  # repeated in the file
    ]  # fmt: skip
    victims = [
        ["victims-given_name", "victims-sex", "victims-age", "victims-forms", "victims-country",
         "PARENT_KEY", "KEY"],
        ["Ana", "f", "14", "labour sexual", "IQ", "uuid:c-1", "uuid:c-1/victims[1]"],
        ["Bo", "x", "16", "soldier", "SY", "uuid:c-1", "uuid:c-1/victims[2]"],
        ["Cy", "m", "9", "labour", "IQ", "uuid:c-2", "uuid:c-2/victims[1]"],
        ["Di", "f", "8", "labour", "IQ", "uuid:nope", "uuid:nope/victims[1]"],
    ]  # fmt: skip
    perpetrators = [
        ["perpetrators-kind", "perpetrators-pname", "perpetrators-nationality", "PARENT_KEY",
         "KEY"],
        ["group", "Synthetic group", "SY", "uuid:c-2", "uuid:c-2/perpetrators[1]"],
    ]  # fmt: skip
    path = tmp_path / "household_synthetic.csv.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("household_synthetic.csv", _csv(main))
        zf.writestr("household_synthetic-victims.csv", _csv(victims))
        zf.writestr("household_synthetic-perpetrators.csv", _csv(perpetrators))
        zf.writestr("media/a.jpg", JPEG)
        zf.writestr("media/b.jpg", b"#!/bin/sh\necho not a photo\n")
    return path


def kobo_xlsx(tmp_path: Path) -> Path:
    """KoBoToolbox XLSX, "XML values and headers": submissions first, one sheet per repeat."""
    book = openpyxl.Workbook()
    main = book.active
    main.title = "Synthetic household interview"
    main.append(["start", "source", "place", "meta/instanceID", "_id", "_uuid",
                 "_submission_time", "_index"])  # fmt: skip
    main.append(["2026-12-01", "hotline", "Camp 1", "uuid:k-1", 11, "k-1", "2026-12-01", 1])
    main.append(["2026-12-01", "outreach", "Camp 2", "", 12, "k-2", "2026-12-01", 2])
    victims = book.create_sheet("victims")
    victims.append(["victims/given_name", "victims/sex", "victims/age", "_index",
                    "_parent_table_name", "_parent_index", "_submission__uuid"])  # fmt: skip
    victims.append(["Ana", "f", 14, 1, "Synthetic household interview", 1, "k-1"])
    victims.append(["Bo", "m", 16, 2, "Synthetic household interview", 1, "k-1"])
    victims.append(["Cy", "u", 9, 3, "Synthetic household interview", 2, "k-2"])
    victims.append(["Di", "u", 9, 4, "Synthetic household interview", 9, "k-9"])
    path = tmp_path / "kobo.xlsx"
    book.save(path)
    return path


def _run(world: World, path: Path, form: Any, result: dict[str, Any] | None = None) -> Job:
    job = Job.objects.create(
        kind=IMPORT,
        organisation=world.own,
        params={
            "path": str(path),
            "form_id": form.form_id,
            "organisation_id": world.own.pk,
            "user_id": world.users["case_manager"].pk,
        },
        result=result or {},
    )
    return jobs.run_now(job)


def test_odk_central_zip_with_repeats_and_media(world: World, form: Any, tmp_path: Path) -> None:
    job = _run(world, central_zip(tmp_path), form)
    assert job.status == "succeeded", job.error
    report = job.result
    assert (report["rows"], report["created"], report["rejected"]) == (4, 2, 2)
    assert report["total"] == 4 and job.total == 4 and job.done == 4
    assert report["attachments"] == 1
    where = {(p["file"], p["row"], p["column"], p["why"]) for p in report["problems"]}
    assert ("household_synthetic.csv", 4, "meta/instanceID", "no instance ID") in where
    assert ("household_synthetic.csv", 5, "meta/instanceID", "repeated in the file") in where
    assert ("household_synthetic-victims.csv", 5, "PARENT_KEY", "no such parent row") in where
    assert (
        "household_synthetic-victims.csv",
        3,
        "victims-sex",
        "not a choice of the question",
    ) in where
    mismatch = next(p for p in report["problems"] if p["column"] == "photo")
    assert mismatch["row"] == 3 and mismatch["imported"] is True
    first = Submission.objects.get(instance_id="uuid:c-1")
    assert first.status == "waiting" and first.device is None
    assert Attachment.objects.get(submission=first).sha256
    record = mapping.of_submission(first).record
    assert [v["given_name"] for v in record["victims"]] == ["Ana", "Bo"]
    assert record["source_type"] == "hotline"
    assert "<victims>" in first.xml and "Ana" in first.xml
    second = mapping.of_submission(Submission.objects.get(instance_id="uuid:c-2")).record
    assert second["perpetrators"][0]["name"] == "Synthetic group"
    again = _run(world, central_zip(tmp_path), form)  # idempotent by instanceID
    assert (again.result["created"], again.result["duplicates"]) == (0, 2)


def test_kobo_xlsx_sheets_join_by_parent_index(world: World, form: Any, tmp_path: Path) -> None:
    job = _run(world, kobo_xlsx(tmp_path), form)
    assert job.status == "succeeded", job.error
    assert job.result["created"] == 2
    orphan = next(p for p in job.result["problems"] if p["why"] == "no such parent row")
    assert (orphan["file"], orphan["row"], orphan["column"]) == ("victims", 5, "_parent_index")
    k2 = Submission.objects.get(instance_id="uuid:k-2")  # _uuid without the prefix
    victims = mapping.of_submission(k2).record["victims"]
    assert [v["given_name"] for v in victims] == ["Cy"]
    k1 = mapping.of_submission(Submission.objects.get(instance_id="uuid:k-1")).record
    assert [(v["given_name"], v["sex"]) for v in k1["victims"]] == [
        ("Ana", "female"),
        ("Bo", "male"),
    ]


def test_kobo_semicolon_csv_and_resuming(world: World, form: Any, tmp_path: Path) -> None:
    rows = [["source", "place", "meta/instanceID", "_uuid", "_index"]]
    rows += [["hotline", f"Camp {i}", f"uuid:s-{i}", f"s-{i}", str(i)] for i in range(1, 7)]
    path = tmp_path / "kobo.csv"
    path.write_bytes(_csv(rows, ";"))
    # an earlier run stopped after row 4 (2 created): the job resumes at row 5
    job = _run(world, path, form, {"next_row": 5, "rows": 3, "created": 3})
    assert job.status == "succeeded", job.error
    assert job.result["created"] == 3 + 3 and job.result["rows"] == 3 + 3
    assert sorted(Submission.objects.values_list("instance_id", flat=True)) == [
        "uuid:s-4", "uuid:s-5", "uuid:s-6"
    ]  # fmt: skip


def test_import_through_the_api_and_the_job(
    world: World, api: Any, form: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = api(world.users["case_manager"])
    with central_zip(tmp_path).open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/collection/imports/",
            {"file": fh, "form_id": "household_synthetic", "organisation": "own-org"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = client.get(f"/api/jobs/{response.json()['job']}/").json()
    assert job["status"] == "succeeded" and job["result"]["created"] == 2
    assert not list(imports.upload_dir().iterdir())  # the stored upload is gone once imported
    bad = client.post(
        "/api/collection/imports/",
        {"file": io.BytesIO(b"x"), "form_id": "household_synthetic", "organisation": "own-org"},
        format="multipart",
    )
    assert bad.status_code == 400
    refused = api(world.users["field_officer"]).post(
        "/api/collection/imports/", {}, format="multipart"
    )
    assert refused.status_code == 403


def test_import_from_the_command_line(world: World, form: Any, tmp_path: Path) -> None:
    from vigie.collection.cli import forms

    path = central_zip(tmp_path)
    result = CliRunner().invoke(
        forms,
        ["import", str(path), "--form", "household_synthetic", "--user", "u-case_manager"],
    )
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "no such parent row" in result.output


def test_import_through_the_web_shows_the_report(
    world: World, web: Any, form: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = web(world.users["case_manager"])
    page = client.get("/collection/forms/").content.decode()
    assert 'action="/collection/imports/"' in page
    with central_zip(tmp_path).open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/collection/imports/",
            {"export": fh, "form": "household_synthetic", "organisation": world.own.pk},
        )
    assert response.status_code == 302
    report = client.get(response["Location"]).content.decode()
    assert "no such parent row" in report and "household_synthetic-victims.csv" in report
    other = web(world.users["field_officer"]).get(response["Location"])
    assert other.status_code == 403
