"""A staged re-import compares each row with its published case while staging (the keyed
``Case.content_digest``, ADR 0047 amended): a row the file gives as the case already is is
not staged and not swapped; a changed row is staged as a copy that carries only the parts
that differ, and publication swaps just those; an edit of the case through the ORM makes it
compare as changed. A link made meanwhile to a row the swap would delete stops the
publication; a link to a row the swap leaves in place does not."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from vigie.cases import services
from vigie.cases.interchange import checking, importer
from vigie.cases.interchange.readers import ImportFailed
from vigie.cases.models import Case, CaseTerm, Victim
from vigie.cases.tests.test_import_staged import _stored
from vigie.core.actor import Actor
from vigie.devtools.case_records import write_file
from vigie.identification.models import Consent
from vigie.identification.selectors import statistics_withheld
from vigie.testing import World

ROWS = 30


def _import(world: World, path: Path, progress: Any = None) -> checking.Report:
    actor = Actor(world.users["case_manager"])
    return importer.run_import(
        path, organisation=world.own, actor=actor, fmt="vigie", progress=progress
    )


def _edit(path: Path, out: Path, rows: set[int], column: str, value: str) -> Path:
    """A copy of ``path`` whose rows at ``rows`` (0 = first data row) have ``column`` set."""
    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    at = table[0].index(column)
    for i in rows:
        table[1 + i][at] = value
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    return out


def _state() -> dict[str, tuple[int, Any, str]]:
    return {
        sid: (pk, updated, summary)
        for pk, sid, updated, summary in Case.objects.values_list(
            "pk", "source_record_id", "updated_at", "summary"
        )
    }


def _victims() -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for sid, pk in Victim.objects.values_list("case__source_record_id", "pk").order_by("pk"):
        out.setdefault(sid, []).append(pk)
    return out


@pytest.fixture
def first(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "first.csv"
    write_file(path, ROWS, seed=5, layout="vigie", identities=True)
    assert _import(world, path).created == ROWS
    return path


@pytest.mark.django_db(transaction=True)
def test_an_unchanged_reimport_stages_and_swaps_nothing(
    world: World, first: Path, small_batches: None, events: list[Any]
) -> None:
    before, victims = _state(), _victims()
    events.clear()
    copies: list[int] = []

    def progress(done: int, message: str, report: checking.Report) -> None:
        copies.append(Case.all_objects.filter(replaces__isnull=False).count())

    report = _import(world, first, progress)
    assert report.written and (report.created, report.updated) == (0, ROWS), report
    assert report.unchanged == ROWS and set(copies) == {0}, (report, copies)
    assert _state() == before and _victims() == victims  # not even updated_at moved
    assert [e for e in events if e["action"] == "changed"] == []


@pytest.mark.django_db(transaction=True)
def test_only_the_changed_rows_and_parts_are_swapped(
    world: World, first: Path, tmp_path: Path, small_batches: None, events: list[Any]
) -> None:
    """Rows 0-9 change the case's summary (its rows stay where they are), five other rows a
    victim's field (the case's rows are swapped), the others nothing; the result is what an
    unstaged import of both files stores."""
    before, victims = _state(), _victims()
    sids = sorted(before)  # in file order: the source ids are demo-000001...
    rows = [i for i in range(10, ROWS) if sids[i] in victims][:5]
    summary = _edit(first, tmp_path / "a.csv", set(range(10)), "case.summary", "revised")
    second = _edit(summary, tmp_path / "b.csv", set(rows), "victim.citizenship", "FR")
    by_victim = [sids[i] for i in rows]
    events.clear()
    staged: list[int] = []

    def progress(done: int, message: str, report: checking.Report) -> None:
        staged.append(Case.all_objects.filter(replaces__isnull=False).count())
        assert _state() == before  # nothing visible before the publication

    report = _import(world, second, progress)
    assert report.written and report.updated == ROWS and report.unchanged == ROWS - 15, report
    assert max(staged) == 15, staged
    after, victims_after = _state(), _victims()
    changed = set(sids[:10]) | set(by_victim)
    for sid in sids:
        pk, updated, _text = after[sid]
        assert pk == before[sid][0]
        if sid in changed:
            assert updated > before[sid][1], sid
        else:
            assert after[sid] == before[sid], sid
    assert all(after[sid][2] == "revised" for sid in sids[:10])
    # a summary changed: the victims' rows stayed (same ids); a victim changed: new rows
    assert all(victims_after.get(sid) == victims.get(sid) for sid in sids[:10])
    assert all(victims_after[sid] != victims[sid] for sid in by_victim)
    moved = Victim.objects.filter(case__source_record_id__in=by_victim)
    assert {v.citizenship for v in moved} == {"FR"}
    announced = sorted(pk for e in events if e["action"] == "changed" for pk in e["ids"])
    assert announced == sorted(before[sid][0] for sid in changed)
    # row for row what the unstaged (partial) import of the same two files stores
    other = Actor.system("test", world.other.pk)
    for path in (first, second):
        importer.run_import(path, organisation=world.other, actor=other, fmt="vigie", partial=True)
    own, direct = _stored(world.own), _stored(world.other)
    assert own == direct
    # and the same filter terms (a copy carries only their difference)
    assert _terms(world.own) == _terms(world.other)
    assert any("revised" in t for sid in sids[:10] for t in _terms(world.own)[sid])


def _terms(org: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    rows = CaseTerm.objects.filter(case__organisation=org)
    for sid, term in rows.values_list("case__source_record_id", "term"):
        out.setdefault(sid, set()).add(term)
    return out


@pytest.mark.django_db(transaction=True)
def test_a_case_edited_before_the_reimport_is_rewritten(
    world: World, first: Path, small_batches: None
) -> None:
    """An edit through the ORM empties the case's digest: re-importing the file the case
    came from then writes the file's values again instead of taking the case as unchanged."""
    case = Case.objects.get(organisation=world.own, source_record_id="demo-000004")
    text = case.summary
    actor = Actor(world.users["case_manager"])
    services.save_record(actor, world.own, {"summary": "seen by the case worker"}, instance=case)
    case.refresh_from_db()
    assert case.summary == "seen by the case worker" and case.content_digest == ""
    report = _import(world, first)
    assert report.written and report.unchanged == ROWS - 1, report
    case.refresh_from_db()
    assert case.summary == text and case.content_digest != ""


@pytest.mark.django_db(transaction=True)
def test_a_case_edited_while_its_changed_row_waits_stops_the_swap(
    world: World, first: Path, tmp_path: Path, small_batches: None
) -> None:
    second = _edit(first, tmp_path / "b.csv", set(range(ROWS)), "case.summary", "revised")
    case = Case.objects.get(organisation=world.own, source_record_id="demo-000003")
    actor = Actor(world.users["case_manager"])
    edited: list[int] = []

    def progress(done: int, message: str, report: checking.Report) -> None:
        if not edited and Case.all_objects.filter(replaces=case).exists():
            services.save_record(actor, world.own, {"area": "edited meanwhile"}, instance=case)
            edited.append(case.pk)

    before = _state()
    with pytest.raises(ImportFailed, match="edited while it ran"):
        _import(world, second, progress)
    case.refresh_from_db()
    assert edited and case.area == "edited meanwhile"
    del before[case.source_record_id]
    now = _state()
    del now[case.source_record_id]
    assert now == before  # none of the import's changes, all or nothing


def _consent(case: Case) -> Consent:
    victim = Victim.objects.filter(case=case).first()
    assert victim is not None
    return Consent.objects.create(
        organisation=case.organisation,
        case=case,
        victim=victim,
        purpose=Consent.Purpose.STATISTICS,
        decision=Consent.Decision.REFUSED,
    )


@pytest.mark.django_db(transaction=True)
def test_a_link_made_meanwhile_to_a_row_the_swap_deletes_stops_it(
    world: World, first: Path, tmp_path: Path, small_batches: None
) -> None:
    """A consent recorded during the import for a victim of a case whose victims the file
    changes: the swap would delete that row, so publication refuses and saves nothing; run
    again, the case (now linked) is written through the ORM, as an unstaged import writes
    it."""
    second = _edit(first, tmp_path / "b.csv", set(range(ROWS)), "victim.citizenship", "FR")
    case = Case.objects.get(organisation=world.own, source_record_id="demo-000003")
    made: list[Consent] = []

    def progress(done: int, message: str, report: checking.Report) -> None:
        if not made and Case.all_objects.filter(replaces=case).exists():
            made.append(_consent(case))

    before = _state()
    with pytest.raises(ImportFailed, match="linked to another record"):
        _import(world, second, progress)
    assert made and _state() == before
    report = _import(world, second)
    assert report.written and report.updated == ROWS, report
    assert {v.citizenship for v in Victim.objects.filter(case=case)} == {"FR"}
    # the file's victims carry no uuid: the ORM replaces the case's victims, as an unstaged
    # import of the same file does; the consent is kept and now holds for the whole case
    # (its victim is gone), which withholds the case from statistics if it was refused
    kept = Consent.objects.get(pk=made[0].pk)
    assert kept.case_id == case.pk and kept.victim is None
    assert statistics_withheld([case.pk]) == ({case.pk}, set())


@pytest.mark.django_db(transaction=True)
def test_a_link_made_meanwhile_to_a_row_the_swap_keeps_is_kept(
    world: World, first: Path, tmp_path: Path, small_batches: None
) -> None:
    """The same consent, but the file changes only the case's summary: the swap leaves the
    case's rows in place, so the link stays valid and publication goes ahead."""
    second = _edit(first, tmp_path / "b.csv", set(range(ROWS)), "case.summary", "revised")
    case = Case.objects.get(organisation=world.own, source_record_id="demo-000003")
    made: list[Consent] = []

    def progress(done: int, message: str, report: checking.Report) -> None:
        if not made and Case.all_objects.filter(replaces=case).exists():
            made.append(_consent(case))

    report = _import(world, second, progress)
    assert report.written and report.updated == ROWS, report
    consent = Consent.objects.get(pk=made[0].pk)
    assert consent.victim is not None and consent.victim.case_id == case.pk
    case.refresh_from_db()
    assert case.summary == "revised"
