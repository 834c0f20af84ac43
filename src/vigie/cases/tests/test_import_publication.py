"""The publication of a changed re-import (issue 15 item 3; ADR 0047, eighth round): the
case columns that an index holds are set only for the cases where they differ, and the
swapped copies, left staged and invisible, are deleted after the commit in short
transactions; a cleanup that did not finish is finished by the next import or the hourly
cleanup, and never shows a copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

from vigie.cases.interchange import importer, staging
from vigie.cases.models import Case, ImportStage
from vigie.cases.tests.test_import_staged import _stored
from vigie.cases.tests.test_import_staged_digests import _edit, _import, _terms
from vigie.core.actor import Actor
from vigie.devtools.case_records import write_file
from vigie.testing import World

ROWS = 30


@pytest.fixture
def first(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "first.csv"
    write_file(path, ROWS, seed=5, layout="vigie", identities=True)
    assert _import(world, path).created == ROWS
    return path


def _listed(api: Any, world: World, status: str) -> set[str]:
    client = api(world.users["case_manager"])
    body = client.get(f"/api/cases/?verification={status}&limit=100").json()
    return {case["source_record_id"] for case in body["results"]}


@pytest.mark.django_db(transaction=True)
def test_an_indexed_column_changed_in_some_cases_is_swapped_only_there(
    world: World, api: Any, first: Path, tmp_path: Path, small_batches: None
) -> None:
    """Rows 0-7 change the verification status (a column of the list indexes), rows 8-15
    only the summary: the store is what an unstaged import of both files stores, and the
    list filtered by the new status (read through the partial list index) finds exactly
    the cases that have it."""
    sids = sorted(Case.objects.values_list("source_record_id", flat=True))
    before = dict(Case.objects.values_list("source_record_id", "verification_status"))
    status = "refuted"
    rows = [i for i in range(ROWS) if before[sids[i]] != status][:8]
    assert len(rows) == 8
    edited = _edit(first, tmp_path / "a.csv", set(rows), "case.verification_status", status)
    rest = [i for i in range(ROWS) if i not in rows][:8]
    second = _edit(edited, tmp_path / "b.csv", set(rest), "case.summary", "revised")
    report = _import(world, second)
    assert report.written and report.unchanged == ROWS - 16, report
    expected = {sid for sid, s in before.items() if s == status} | {sids[i] for i in rows}
    assert _listed(api, world, status) == expected
    other = Actor.system("test", world.other.pk)
    for path in (first, second):
        importer.run_import(path, organisation=world.other, actor=other, fmt="vigie", partial=True)
    assert _stored(world.own) == _stored(world.other)
    assert _terms(world.own) == _terms(world.other)
    assert not Case.all_objects.filter(replaces__isnull=False).exists()
    assert not ImportStage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_copies_left_by_an_interrupted_cleanup_stay_invisible_and_are_deleted_later(
    world: World, api: Any, first: Path, tmp_path: Path, small_batches: None
) -> None:
    """The deletion of the copies after the commit fails (the database is locked, the
    process dies): the import is published all the same, the copies stay invisible; the
    next import of the organisation deletes them first (they hold the cases they replace),
    and so does the hourly cleanup, whatever the stage's age."""

    def locked(stage_id: int) -> int:
        raise OperationalError("database is locked")

    second = _edit(first, tmp_path / "b.csv", set(range(10)), "case.summary", "revised")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staging, "discard", locked)
        report = _import(world, second)
    assert report.written and report.updated == ROWS, report
    assert Case.all_objects.filter(replaces__isnull=False).count() == 10
    assert ImportStage.objects.get().published_at is not None
    assert Case.objects.count() == ROWS  # the copies are not seen
    client = api(world.users["case_manager"])
    assert len(client.get("/api/cases/?limit=100").json()["results"]) == ROWS
    assert set(Case.objects.filter(summary="revised").values_list("pk", flat=True)) == set(
        Case.all_objects.filter(replaces__isnull=False).values_list("replaces_id", flat=True)
    )

    # the next import changes the same cases: it clears the leftovers first
    third = _edit(first, tmp_path / "c.csv", set(range(10)), "case.summary", "again")
    report = _import(world, third)
    assert report.written and report.unchanged == ROWS - 10, report
    assert Case.objects.filter(summary="again").count() == 10
    assert not Case.all_objects.filter(replaces__isnull=False).exists()
    assert not ImportStage.objects.exists()

    # the hourly cleanup deletes a published stage's leftovers at once
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staging, "discard", locked)
        assert _import(world, second).written
    assert Case.all_objects.filter(replaces__isnull=False).count() == 10
    assert staging.discard_abandoned(hours=48) == 1
    assert not Case.all_objects.filter(replaces__isnull=False).exists()
    assert not ImportStage.objects.exists()
    assert Case.objects.count() == ROWS
