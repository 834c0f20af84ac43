"""Perpetrators written by a bulk case import (no per-row post_save) are screened by one
``screening.perpetrators_batch`` job queued when the import commits (the cases app's
``records_changed`` event), scoped to exactly the cases it wrote; the same job runs from
``vigie screen --perpetrators``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.cases.models import Case, Perpetrator
from vigie.core import jobs
from vigie.core.models import Job
from vigie.screening import services
from vigie.screening.cli import screen as screen_cli
from vigie.screening.models import Hit, Subject
from vigie.screening.tests.factories import SAMPLE, un_entity, un_xml, write
from vigie.testing import World

COLUMNS = [
    "case.reference",
    "case.source_type",
    "case.source_record_id",
    "perpetrator.kind",
    "perpetrator.name",
    "perpetrator.group_name",
    "perpetrator.role",
]


@pytest.fixture
def listed(tmp_path: Path, db: Any) -> Path:
    entities = [un_entity("QDe.115", "Al-Qaida in Iraq", aliases=("Synthetic Front",))]
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE, entities)))
    return tmp_path


def _file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


ROWS = [
    ["IMP-1", "case_management", "imp-1", "person", "Ermies Testfai", "", "recruiter"],
    ["IMP-2", "case_management", "imp-2", "group", "", "Synthetic Front", "buyer"],
    ["IMP-3", "case_management", "imp-3", "person", "Marta Unlisted Nobody", "", "recruiter"],
]


def _import(world: World, path: Path, capture: Any) -> Job:
    user = world.users["case_manager"]
    with capture(execute=True):
        job = jobs.start(
            "cases.import",
            user=user,
            organisation=world.own,
            params={
                "path": str(path),
                "organisation_id": world.own.pk,
                "user_id": user.pk,
                "format": "vigie",
            },
        )
    return Job.objects.get(pk=job.pk)


def test_a_bulk_import_screens_its_perpetrators_in_one_job(
    world: World, web: Any, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job = _import(world, _file(listed, ROWS), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["created"] == 3
    # one batch job for the import, not one job per perpetrator
    assert not Job.objects.filter(kind="screening.perpetrator").exists()
    batch = Job.objects.get(kind="screening.perpetrators_batch")
    assert batch.status == Job.Status.SUCCEEDED, batch.error
    written = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    assert batch.params["case_ranges"] == [[written[0], written[-1]]]
    assert batch.result["perpetrators"] == 3 and batch.result["screened"] == 3
    assert batch.result["new_alerts"] >= 2 and batch.done == 3

    person = Perpetrator.objects.get(case__reference="IMP-1")
    hit = Hit.objects.get(subject__external_id=str(person.uuid))
    assert hit.entry.reference == "LYi.901" and hit.status == Hit.Status.OPEN
    group = Perpetrator.objects.get(case__reference="IMP-2")
    assert Hit.objects.filter(
        subject__external_id=str(group.uuid), entry__reference="QDe.115"
    ).exists()
    nobody = Perpetrator.objects.get(case__reference="IMP-3")
    assert Subject.objects.filter(external_id=str(nobody.uuid)).exists()
    assert not Hit.objects.filter(subject__external_id=str(nobody.uuid)).exists()

    case = Case.objects.get(reference="IMP-1")
    body = web(world.users["investigator"]).get(f"/cases/{case.uuid}/").content.decode()
    assert 'data-testid="case-screening"' in body and "LYi.901" in body
    assert "Ermies" not in body  # the perpetrator's name stays hidden
    body = web(world.users["field_officer"]).get(f"/cases/{case.uuid}/").content.decode()
    assert "LYi.901" not in body

    # Re-importing the same file changes nothing: no copy, no event, no new screening.
    same = _import(world, _file(listed, ROWS), django_capture_on_commit_callbacks)
    assert same.status == Job.Status.SUCCEEDED, same.error
    assert same.result["unchanged"] == 3
    assert Job.objects.filter(kind="screening.perpetrators_batch").count() == 1

    # A file whose perpetrators changed (their role) replaces the cases' rows set-based (the
    # perpetrators are written anew): one batch job again, over exactly those cases.
    changed = [[*row[:-1], "transporter"] for row in ROWS]
    again = _import(world, _file(listed, changed), django_capture_on_commit_callbacks)
    assert again.status == Job.Status.SUCCEEDED, again.error
    assert again.result["updated"] == 3 and again.result["created"] == 0
    assert not Job.objects.filter(kind="screening.perpetrator").exists()
    second = Job.objects.filter(kind="screening.perpetrators_batch").exclude(pk=batch.pk).get()
    assert second.params["case_ranges"] == [[written[0], written[-1]]]
    assert second.result["perpetrators"] == 3


def test_the_import_job_screens_only_the_cases_it_wrote(
    world: World, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from vigie.core.events import records_changed

    # a perpetrator written earlier without any screening (its hook was off), in the same
    # organisation: the next import's job must not pick it up
    records_changed.disconnect(dispatch_uid="screening.records_changed")
    try:
        _import(world, _file(listed, ROWS[:1]), django_capture_on_commit_callbacks)
    finally:
        from vigie.screening.perpetrators import on_records_changed

        records_changed.connect(on_records_changed, dispatch_uid="screening.records_changed")
    earlier = Perpetrator.objects.get(case__reference="IMP-1")
    (listed / "later").mkdir()
    job = _import(world, _file(listed / "later", ROWS[1:]), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error
    batch = Job.objects.get(kind="screening.perpetrators_batch")
    assert batch.status == Job.Status.SUCCEEDED, batch.error
    assert batch.result["perpetrators"] == 2 and batch.result["screened"] == 2
    assert not Subject.objects.filter(external_id=str(earlier.uuid)).exists()


def test_a_job_with_malformed_case_ranges_fails_clearly(
    world: World, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start(
            "screening.perpetrators_batch",
            user=world.users["case_manager"],
            organisation=world.own,
            params={"case_ranges": [["one", 2]]},
        )
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.FAILED
    assert "case_ranges" in job.error and "not a list of [first, last] ids" in job.error


def test_a_failed_import_screens_nothing(
    world: World, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bad = [["IMP-9", "not-a-source-type", "imp-9", "person", "Ermies Testfai", "", "recruiter"]]
    job = _import(world, _file(listed, bad), django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert not Job.objects.filter(kind="screening.perpetrators_batch").exists()
    assert not Subject.objects.exists()


def test_cli_screens_perpetrators_not_yet_screened(
    world: World, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from vigie.core.events import records_changed
    from vigie.screening.perpetrators import on_records_changed

    # Import without the hook, as if the import had bypassed it.
    records_changed.disconnect(dispatch_uid="screening.records_changed")
    try:
        job = _import(world, _file(listed, ROWS), django_capture_on_commit_callbacks)
    finally:
        records_changed.connect(on_records_changed, dispatch_uid="screening.records_changed")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert not Subject.objects.exists()

    runner = CliRunner()
    bad = runner.invoke(screen_cli, ["--perpetrators", "--org", "nope"])
    assert bad.exit_code != 0 and "no such organisation" in bad.output
    bad = runner.invoke(screen_cli, ["--perpetrators", "--since", "yesterday"])
    assert bad.exit_code != 0 and "not an ISO date" in bad.output

    res = runner.invoke(
        screen_cli, ["--perpetrators", "--org", world.own.code, "--since", "2020-01-01", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["perpetrators"] == 3 and out["screened"] == 3 and out["new_alerts"] >= 2
    person = Perpetrator.objects.get(case__reference="IMP-1")
    assert Hit.objects.filter(
        subject__external_id=str(person.uuid), entry__reference="LYi.901"
    ).exists()
    res = runner.invoke(screen_cli, ["--perpetrators"])
    assert res.exit_code == 0, res.output
    assert "0 screened, 3 unchanged" in res.output
