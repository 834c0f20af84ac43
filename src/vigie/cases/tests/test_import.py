"""Bulk import through the job system and the command line: round trip on the CTDC sample,
clear errors that leave the store unchanged, partial mode with rejects and resume."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from vigie.cases.cli import cases as cases_cli
from vigie.cases.interchange import exporter, importer, layouts
from vigie.cases.models import Case, Exploitation, Victim
from vigie.core import jobs
from vigie.core.models import Job
from vigie.testing import World

SAMPLE = Path(__file__).parent / "fixtures" / "ctdc_sample.csv"  # a copy of shared data


def start_import(world: World, path: Path, role: str = "case_manager", **params: Any) -> Job:
    user = world.users[role]
    job = jobs.start(
        "cases.import",
        user=user,
        organisation=world.own,
        params={"path": str(path), "organisation_id": world.own.pk, "user_id": user.pk, **params},
    )
    job = Job.objects.get(pk=job.pk)
    return jobs.run_now(job)


def test_ctdc_sample_round_trips_byte_for_byte(world: World, tmp_path: Path) -> None:
    job = start_import(world, SAMPLE)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["created"] == 104 and job.done == 104
    assert Victim.objects.count() == 104
    assert Exploitation.objects.filter(country="KH").count() == 20
    out = tmp_path / "out.csv"
    assert exporter.export(world.users["case_manager"], "ctdc-sample", out) == 104
    original = SAMPLE.read_text("utf-8").replace("\r\n", "\n")
    assert out.read_text("utf-8") == original
    # re-importing is idempotent
    again = start_import(world, SAMPLE)
    assert again.result["created"] == 0 and again.result["updated"] == 104
    assert Case.objects.count() == 104


def test_ctdc_63_columns_round_trip_through_xlsx(world: World, tmp_path: Path) -> None:
    start_import(world, SAMPLE)
    first = tmp_path / "ctdc.csv"
    exporter.export(world.users["case_manager"], "ctdc", first)
    with first.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == layouts.CTDC_COLUMNS and len(rows) == 105
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    xlsx = tmp_path / "ctdc.xlsx"
    book.save(xlsx)
    Case.objects.all().delete()
    job = start_import(world, xlsx)
    assert job.status == Job.Status.SUCCEEDED, job.error
    second = tmp_path / "ctdc2.csv"
    exporter.export(world.users["case_manager"], "ctdc", second)
    assert second.read_text("utf-8") == first.read_text("utf-8")


def _write_sample(tmp_path: Path, edits: dict[int, dict[str, str]]) -> Path:
    with SAMPLE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for index, change in edits.items():
        rows[index].update(change)
    path = tmp_path / "edited.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=layouts.SAMPLE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bad_rows_are_reported_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    path = _write_sample(
        tmp_path,
        {
            0: {"gender": "Martian"},
            4: {"registration_year": "2999"},
            9: {"citizenship": "ZZ"},
            20: {"control_threats": "7"},
        },
    )
    job = start_import(world, path)
    assert job.status == Job.Status.FAILED
    assert "4 invalid row(s); nothing was written" in job.error
    problems = {(p["row"], p["column"]): p for p in job.result["problems"]}
    # a word is described, not quoted: a shifted row can put a name in any column; a value
    # no name can be is quoted (ADR 0054)
    assert problems[(2, "gender")]["value"] == "… (7 characters: letters)"
    assert problems[(6, "registration_year")]["value"] == "2999"
    assert "not a CTDC value" in problems[(2, "gender")]["reason"]
    assert "year out of range" in problems[(6, "registration_year")]["reason"]
    assert "ISO 3166" in problems[(11, "citizenship")]["reason"]
    assert problems[(22, "control_threats")]["reason"] == "expected 1, 0 or -99"
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"registration_year,gender\n2017,Female\n", "missing from the header"),
        ("\ufeff".encode() + SAMPLE.read_bytes()[:200] + b"\xff\xfe\n", "not UTF-8 text"),
        (b"", "empty"),
    ],
)
def test_unreadable_files_fail_with_a_clear_error(
    world: World, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    job = start_import(world, path)
    assert job.status == Job.Status.FAILED and message in job.error, job.error
    assert job.error.startswith("file bad.csv")
    assert Case.objects.count() == 0


def test_truncated_xlsx(world: World, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(layouts.SAMPLE_COLUMNS)
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    job = start_import(world, cut)
    assert job.status == Job.Status.FAILED and "truncated or damaged" in job.error


def test_partial_import_writes_valid_rows_and_rejects_the_rest(
    world: World, tmp_path: Path, monkeypatch: Any
) -> None:
    path = _write_sample(tmp_path, {3: {"gender": "?"}, 50: {"age_range": "200--300"}})
    rejects = tmp_path / "rejects.csv"
    monkeypatch.setattr(importer, "BATCH", 10)
    job = start_import(world, path, partial=True, rejects=str(rejects))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["created"] == 102 and job.result["rejected"] == 2
    lines = list(csv.reader(rejects.open(encoding="utf-8")))
    assert lines[0] == ["file", "row", "column", "value", "reason"]
    assert [r[1] for r in lines[1:]] == ["5", "52"]
    assert Case.objects.count() == 102


def test_partial_import_resumes_after_the_last_batch(
    world: World, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(importer, "BATCH", 20)
    calls = {"n": 0}
    real = jobs.Progress.update

    def crash_once(self: Any, done: int, total: Any = None, message: Any = None) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker died")
        real(self, done, total, message)

    monkeypatch.setattr(jobs.Progress, "update", crash_once)
    job = start_import(world, SAMPLE, partial=True)
    assert job.status == Job.Status.FAILED and job.error.startswith("RuntimeError")
    written = Case.objects.count()
    assert written == 40 and job.result["next_row"] == 42
    monkeypatch.setattr(jobs.Progress, "update", real)
    jobs.retry(world.users["case_manager"], job)
    job = jobs.run_now(Job.objects.get(pk=job.pk))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Case.objects.count() == 104


def test_htcds_json_import_encrypts_identities(world: World, tmp_path: Path) -> None:
    items = [
        {
            "cas_CaseNumber": "H-1",
            "prs_FirstName": "Amina",
            "prs_SecondName": "Example",
            "prs_Birthdate": "2003-04-05",
            "prs_Gender": "Feminine",
            "prs_Citizenship": "NG",
            "prs_Email": "never-stored@example.org",
            "vic_TraffickingStatus": "ActualVictimOfTrafficking",
            "vic_MethodsOfControl": ["PhysicalThreats", "DebtBondage "],
            "vic_TypeOfExploitation": "ForcedMarriage;ForcedMilitaryByNonStateActors",
            "cas_Status": "Active",
            "cas_ReferredOrganisation": "A shelter",
        }
    ]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(items), "utf-8")
    job = start_import(world, path, format="htcds")
    assert job.status == Job.Status.SUCCEEDED, job.error
    v = Victim.objects.get()
    assert v.given_name == "Amina" and v.sex == "female" and v.trafficking_status == "actual"
    e = Exploitation.objects.get()
    assert e.forms == ["forced_marriage", "armed_recruitment"]
    assert e.means == ["threats", "debt_bondage"]
    assert "never-stored" not in json.dumps(Case.objects.get().source_attributes)
    # an analyst (case.import, no identity) may not import identities
    Case.objects.all().delete()
    job = start_import(world, path, role="analyst", format="htcds")
    assert job.status == Job.Status.FAILED and "prs_FirstName" not in job.error
    assert "identifying" in json.dumps(job.result["problems"])


def test_htcds_export_then_import(world: World, tmp_path: Path, api: Any) -> None:
    from vigie.cases.tests.conftest import RECORD

    api(world.users["case_manager"]).post("/api/cases/", RECORD, format="json")
    out = tmp_path / "h.json"
    exporter.export(world.users["case_manager"], "htcds", out, identity=True)
    data = json.loads(out.read_text("utf-8"))["records"]
    assert data[0]["prs_SecondName"] == "Testperson"
    from vigie.core.models import AccessLogEntry

    actions = list(AccessLogEntry.objects.order_by("seq").values_list("action", "object_id"))
    assert actions[-2][0] == "export" and actions[-2][1]  # the case's identities
    assert actions[-1][0] == "export" and not actions[-1][1]  # the export itself
    assert data[0]["vic_TypeOfExploitation"] == ["SexualExploitation", "ForcedMarriage"]
    Case.objects.all().delete()
    job = start_import(world, out, format="htcds")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert Victim.objects.get().family_name == "Testperson"


def test_cli_import_and_export(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cases_cli, ["import", str(SAMPLE), "--org", "own-org", "--user", "u-analyst", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 104
    out = tmp_path / "x.parquet"
    result = runner.invoke(
        cases_cli, ["export", "--format", "parquet", "-o", str(out), "--user", "u-analyst"]
    )
    assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    assert table.num_rows == 104 and "family_name" not in table.column_names
    result = runner.invoke(
        cases_cli,
        ["export", "--format", "json", "-o", str(out), "--user", "u-analyst", "--identity"],
    )
    assert result.exit_code != 0 and "identities" in result.output
    bad = tmp_path / "bad.csv"
    shutil.copy(SAMPLE, bad)
    bad.write_text(bad.read_text("utf-8").replace("Female", "F", 1), "utf-8")
    result = runner.invoke(cases_cli, ["import", str(bad), "--org", "own-org", "--as-system"])
    assert result.exit_code != 0
    assert "file bad.csv, row 2, column gender: value 'F'" in result.output


def test_cli_dry_run_validates_everything_and_writes_nothing(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--org", "own-org", "--user", "u-analyst", "--dry-run"]
    result = runner.invoke(cases_cli, ["import", str(SAMPLE), *args])
    assert result.exit_code == 0, result.output
    assert "104 rows" in result.output and "dry run, nothing written: valid" in result.output
    assert Case.objects.count() == 0 and Job.objects.count() == 0
    path = _write_sample(tmp_path, {0: {"gender": "Martian"}, 9: {"citizenship": "ZZ"}})
    result = runner.invoke(cases_cli, ["import", str(path), *args, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["status"] == "invalid" and report["rejected"] == 2 and not report["written"]
    assert {(p["row"], p["column"], p["value"]) for p in report["problems"]} == {
        (2, "gender", "… (7 characters: letters)"),
        (11, "citizenship", "… (2 characters: letters)"),
    }
    result = runner.invoke(cases_cli, ["import", str(path), *args])
    assert result.exit_code == 1
    assert "INVALID" in result.output
    message = "file " + path.name + ", row 2, column gender: value '… (7 characters: letters)'"
    assert message in result.output and "Martian" not in result.output
    assert Case.objects.count() == 0
