"""The import's worker process (vigie.cases.interchange.pipeline): batches read, validated and
built in a forked process give the same cases as the in-process path; problems, file errors, partial
mode, re-imports and cancellation behave the same; time-ordered uuids."""

from __future__ import annotations

import csv
import multiprocessing
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest

from vigie.cases import records
from vigie.cases.interchange import bulk, importer, pipeline
from vigie.cases.models import Case, Perpetrator, Victim
from vigie.cases.tests.conftest import without
from vigie.core import jobs
from vigie.core.models import Job, Organisation
from vigie.devtools import case_records
from vigie.testing import SYSTEM, World

VOLATILE = {"uuid", "organisation", "created_at", "updated_at", "victim", "incident"}


def _strip(value: Any) -> Any:
    return without(value, VOLATILE)


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every import below goes through the worker process, in batches of 7 rows; the list
    counts the workers started."""
    assert pipeline.available(), "this machine should allow a worker (Linux, 2+ cores)"
    started: list[int] = []
    real = pipeline.in_worker

    def counted(produce: Any) -> Any:
        started.append(1)
        return real(produce)

    monkeypatch.setattr(importer, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(importer, "BATCH", 7)
    monkeypatch.setattr(pipeline, "in_worker", counted)
    return started


def _file(tmp_path: Path, n: int = 30, edit: dict[int, dict[str, str]] | None = None) -> Path:
    path = tmp_path / "cases.csv"
    case_records.write_file(path, n, seed=11, layout="vigie", identities=True)
    if edit:
        rows = list(csv.reader(path.open(encoding="utf-8")))
        for i, changes in edit.items():
            for column, value in changes.items():
                rows[i][rows[0].index(column)] = value
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return path


def _records(org: Organisation) -> list[Any]:
    cases = Case.objects.filter(organisation=org).order_by("source_record_id")
    return [_strip(records.serialize(c, with_identity=True)) for c in cases]


def test_the_worker_writes_what_the_in_process_path_writes(
    world: World, tmp_path: Path, worker: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path)
    report = importer.run_import(path, organisation=world.own, actor=SYSTEM, fmt="vigie")
    assert report.written and report.created == 30 and worker == [1]
    monkeypatch.setattr(importer, "WORKER_MIN_BYTES", 1 << 40)
    again = importer.run_import(path, organisation=world.other, actor=SYSTEM, fmt="vigie")
    assert again.created == 30 and worker == [1]
    assert _records(world.own) == _records(world.other)
    # identities encrypted at rest, links by id, time-ordered uuids per table
    assert Victim.objects.filter(organisation=world.own, given_name__isnull=False).count() > 0
    victims = list(Victim.objects.filter(organisation=world.own).order_by("pk"))
    assert [v.uuid.version for v in victims] == [7] * len(victims)
    assert [v.uuid for v in victims] == sorted(v.uuid for v in victims)
    linked = Perpetrator.objects.filter(organisation=world.own, victim__isnull=False)
    assert all(p.victim.case_id == p.case_id for p in linked)


def test_worker_problems_name_file_row_column_value_and_nothing_is_written(
    world: World, tmp_path: Path, worker: list[int]
) -> None:
    # a word in a column that is not identity may be a name from a shifted row: withheld
    # ("…"); a value no name can be is quoted (ADR 0054)
    path = _file(tmp_path, edit={12: {"victim.sex": "Nadia"}, 25: {"case.event_date_end": "x"}})
    report = importer.run_import(path, organisation=world.own, actor=SYSTEM, fmt="vigie")
    assert not report.written and report.rejected == 2 and report.created == 0
    rows = [(p["file"], p["row"], p["column"], p["value"]) for p in report.problems]
    assert rows == [
        ("cases.csv", 13, "victim.sex", "…"),
        ("cases.csv", 26, "case.event_date_end", "x"),
    ]
    assert not Case.objects.exists() and not Victim.objects.exists()


def test_worker_file_errors_reach_the_job(world: World, tmp_path: Path, worker: list[int]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("case.reference,victim.shoe_size\nA,42\n", encoding="utf-8")
    job = _start(world, path, format="vigie")
    assert job.status == Job.Status.FAILED
    assert "file bad.csv, row 1, column victim.shoe_size" in job.error
    assert worker == [1]


def _start(world: World, path: Path, **params: Any) -> Job:
    user = world.users["case_manager"]
    job = jobs.start(
        "cases.import",
        user=user,
        organisation=world.own,
        params={"path": str(path), "organisation_id": world.own.pk, "user_id": user.pk, **params},
    )
    return jobs.run_now(Job.objects.get(pk=job.pk))


def test_worker_partial_mode_rejects_and_reimport_updates(
    world: World, tmp_path: Path, worker: list[int]
) -> None:
    path = _file(tmp_path, edit={4: {"victim.age_at_identification": "300"}})
    rejects = tmp_path / "rejects.csv"
    job = _start(world, path, format="vigie", partial=True, rejects=str(rejects))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["created"] == 29 and job.result["rejected"] == 1
    lines = list(csv.reader(rejects.open(encoding="utf-8")))
    assert [r[1:3] for r in lines[1:]] == [["5", "victim.age_at_identification"]]
    first = {c.source_record_id: c.pk for c in Case.objects.all()}
    again = _start(world, path, format="vigie", partial=True, rejects=str(rejects))
    assert again.result["created"] == 0 and again.result["updated"] == 29
    assert {c.source_record_id: c.pk for c in Case.objects.all()} == first
    assert len(worker) == 2


def test_cancelling_stops_the_worker_and_writes_nothing(
    world: World, tmp_path: Path, worker: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path)
    calls: list[int] = []

    def cancel(done: int, message: str, report: Any) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise jobs.JobCancelled

    # a parent that ignores SIGTERM (as a job consumer's handler may): the worker still stops
    monkeypatch.setattr(pipeline, "AHEAD", 1)
    previous = signal.signal(signal.SIGTERM, lambda *args: None)
    try:
        with pytest.raises(jobs.JobCancelled):
            importer.run_import(
                path, organisation=world.own, actor=SYSTEM, fmt="vigie", progress=cancel
            )
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert calls == [7, 14] and not Case.objects.exists()
    assert not multiprocessing.active_children()


def test_uuid7_are_increasing_version_7_and_unique() -> None:
    maker = bulk.Uuid7()
    values = maker.take(5000, native=False) + maker.take(3, native=False)
    parsed = [uuid.UUID(hex=v) for v in values]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert {u.version for u in parsed} == {7} and {u.variant for u in parsed} == {uuid.RFC_4122}
    native = maker.take(2, native=True)
    assert isinstance(native[0], uuid.UUID) and native[0].hex > values[-1]
