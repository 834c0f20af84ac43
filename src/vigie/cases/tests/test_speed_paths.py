"""The fast paths: bulk insertion writes what the ORM path writes (encrypted identities,
blind indexes, derived fields, filter index), sends no per-row signal and one change event
per batch; list pages cost a constant number of queries whatever their size, depth
or the data; counts are capped; cursors walk the whole list."""

from __future__ import annotations

import copy
import csv
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from vigie.cases import records, selectors, services
from vigie.cases.interchange import bulk, bulk_write, checking, importer
from vigie.cases.models import Case, Perpetrator, Victim
from vigie.cases.signals import IdRanges
from vigie.cases.tests.conftest import RECORD, without
from vigie.core.fields import blind_index_for
from vigie.devtools import case_records
from vigie.testing import SYSTEM, World, capture_changes

VOLATILE = {"uuid", "reference", "created_at", "updated_at", "victim", "incident"}


def _strip(value: Any) -> Any:
    return without(value, VOLATILE)


def _bulk(world: World, data: list[dict[str, Any]]) -> list[int]:
    parsed = [records.validate(d, allow_identity=True) for d in data]
    assert not any(p.problems for p in parsed)
    with transaction.atomic():
        return bulk_write.write(bulk.build(world.own.pk, None, parsed))


def test_bulk_insert_writes_what_the_orm_path_writes(world: World) -> None:
    record = copy.deepcopy(RECORD)
    by_orm = services.save_record(SYSTEM, world.own, record)
    twin = copy.deepcopy(RECORD) | {"source_record_id": "cm-002", "reference": "T-2"}
    (pk,) = _bulk(world, [twin])
    by_bulk = Case.objects.get(pk=pk)
    orm = records.serialize(by_orm, with_identity=True)
    fast = records.serialize(by_bulk, with_identity=True)
    orm["source_record_id"] = "cm-002"
    assert _strip(fast) == _strip(orm)
    assert by_bulk.codes_index == by_orm.codes_index
    assert by_bulk.search_text == by_orm.search_text.replace("t-1", "t-2").replace("-001", "-002")
    # links between rows, encryption at rest and the blind index
    victim = Victim.objects.get(case=by_bulk)
    assert fast["exploitations"][0]["victim"] == str(victim.uuid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name, phone FROM cases_victim WHERE id = %s", [victim.pk])
        raw = cursor.fetchone()
    assert all(v.startswith("v1:") for v in raw) and "Testperson" not in raw[0]
    found = Victim.objects.filter(
        family_name_index=blind_index_for(Victim, "family_name", "testperson")
    )
    assert set(found.values_list("case_id", flat=True)) == {by_orm.pk, by_bulk.pk}
    assert victim.phone == "+964 700 000 0000" and victim.date_of_birth.isoformat() == "2001-01-05"


def test_import_sends_no_per_row_signal_and_one_change_event_after_publication(
    world: World,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "cases.csv"
    case_records.write_file(path, 30, seed=5, layout="vigie", identities=True)
    monkeypatch.setattr(importer, "BATCH", 20)
    saved: list[Any] = []

    def on_save(sender: Any, **kwargs: Any) -> None:
        saved.append(kwargs["instance"])

    post_save.connect(on_save, sender=Perpetrator, dispatch_uid="test.perp")
    try:
        with capture_changes() as changed, django_capture_on_commit_callbacks(execute=True):
            report = importer.run_import(path, organisation=world.own, actor=SYSTEM, fmt="vigie")
    finally:
        post_save.disconnect(sender=Perpetrator, dispatch_uid="test.perp")
    assert report.written and report.created == 30
    assert saved == []
    cases = [c for c in changed if c["kind"] == "cases.case"]
    assert len(cases) == 1  # batches are staged, then published together (ADR 0043)
    assert {c["organisation_id"] for c in cases} == {world.own.pk}
    assert {c["actor"] for c in cases} == {SYSTEM}
    ids = set(Case.objects.filter(organisation=world.own).values_list("pk", flat=True))
    assert {i for c in cases for i in c["ids"]} == ids
    assert set(Case.objects.filter(cases[0]["ids"].q()).values_list("pk", flat=True)) == ids
    assert Victim.objects.filter(case_id__in=ids).filter(given_name__isnull=False).count() > 0


def test_id_ranges_are_compact() -> None:
    ranges = IdRanges()
    ranges.add([5, 3, 4, 9])
    ranges.add([10, 1])
    assert ranges.ranges == [(1, 1), (3, 5), (9, 10)] and len(ranges) == 6
    assert list(ranges) == [1, 3, 4, 5, 9, 10]


def _many(world: World, n: int, first: int = 1) -> None:
    rng = random.Random(n)
    data = [case_records.synthetic_record(rng, i) for i in range(first, first + n)]
    for d in data:
        for v in d.get("victims", []):
            for name in ("given_name", "family_name", "date_of_birth"):
                v.pop(name, None)
    _bulk(world, data)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("filters", ["", "&q=synthetic", "&q=synthetic&date_from=2000-01-01"])
def test_list_pages_cost_a_constant_number_of_queries(
    world: World, web: Any, api: Any, filters: str
) -> None:
    user = world.users["case_manager"]
    _many(world, 3)
    w, a = web(user), api(user)
    _queries(w, "/cases/"), _queries(a, "/api/cases/")  # warm the per-user caches
    few_web = _queries(w, f"/cases/?page=1{filters}")
    few_api = _queries(a, f"/api/cases/?page_size=2{filters}")
    _many(world, 130, first=10)
    assert _queries(w, f"/cases/?page=1{filters}") == few_web
    assert _queries(w, f"/cases/?page=3{filters}") == few_web
    assert _queries(a, f"/api/cases/?page_size=200{filters}") == few_api
    assert _queries(a, f"/api/cases/?page=2&page_size=10{filters}") == few_api
    first = a.get(f"/api/cases/?page_size=10{filters}").json()
    url = f"/api/cases/?page_size=50&after={first['next_cursor']}{filters}"
    assert _queries(a, url) <= few_api
    # no match: the page's rows are not even asked for
    assert _queries(w, f"/cases/?page=1&form=no-such-form{filters}") <= few_web
    assert _queries(a, f"/api/cases/?form=no-such-form{filters}") <= few_api


def test_counts_are_capped_and_cursors_walk_the_whole_list(
    world: World, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many(world, 45)
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 20)
    qs = Case.objects.all()
    assert selectors.count_capped(qs, 20) == (20, False)
    assert selectors.count_capped(qs, 100) == (45, True)
    client = api(world.users["case_manager"])
    body = client.get("/api/cases/?page_size=10").json()
    assert body["count"] == 20 and body["count_is_exact"] is False
    seen = [c["uuid"] for c in body["results"]]
    while body["next_cursor"]:
        body = client.get(f"/api/cases/?page_size=10&after={body['next_cursor']}").json()
        seen += [c["uuid"] for c in body["results"]]
    assert len(seen) == len(set(seen)) == 45
    expected = [str(u) for u in selectors.for_list(qs).values_list("uuid", flat=True)]
    assert seen == expected
    bad = client.get("/api/cases/?after=nonsense")
    assert bad.status_code == 400 and bad.json()["detail"]["parameter"] == "after"


@pytest.mark.parametrize("partial", [False, True])
def test_a_reference_another_case_has_is_a_row_problem(
    world: World, tmp_path: Path, partial: bool
) -> None:
    record = copy.deepcopy(RECORD) | {"reference": "DEMO-000002"}
    services.save_record(SYSTEM, world.own, record)
    path = tmp_path / "cases.csv"
    case_records.write_file(path, 5, seed=9, layout="vigie")
    report = importer.run_import(
        path,
        organisation=world.own,
        actor=SYSTEM,
        fmt="vigie",
        partial=partial,
        rejects=tmp_path / "r.csv",
    )
    assert report.rejected == 1
    (problem,) = report.problems
    assert (problem["row"], problem["column"], problem["value"]) == (3, "reference", "DEMO-000002")
    assert "already used" in problem["reason"]
    expected = 1 + (4 if partial else 0)
    assert Case.objects.filter(organisation=world.own).count() == expected
    if partial:
        assert "DEMO-000002" in (tmp_path / "r.csv").read_text()


def _with_repeated_reference(path: Path, rows: int) -> None:
    """A generated Vigie file whose last row repeats the first row's case reference."""
    case_records.write_file(path, rows, seed=11, layout="vigie")
    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    column = table[0].index("case.reference")
    table[-1][column] = table[1][column]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)


@pytest.mark.parametrize("mode", ["dry-run", "atomic", "partial"])
def test_a_reference_repeated_in_the_file_is_a_row_problem_across_batches(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)  # the repeat is 3 batches after the first use
    path = tmp_path / "cases.csv"
    _with_repeated_reference(path, 7)
    report = importer.run_import(
        path,
        organisation=world.own,
        actor=SYSTEM,
        fmt="vigie",
        dry_run=mode == "dry-run",
        partial=mode == "partial",
        rejects=tmp_path / "r.csv",
    )
    assert report.rejected == 1
    (problem,) = report.problems
    assert (problem["row"], problem["column"]) == (8, "reference")
    assert problem["reason"] == "duplicated in the file (first on row 2)"
    written = 6 if mode == "partial" else 0
    assert Case.objects.filter(organisation=world.own).count() == written


def test_an_import_into_an_organisation_without_cases_reads_no_case_per_batch(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)
    path = tmp_path / "cases.csv"
    case_records.write_file(path, 8, seed=12, layout="vigie")
    with CaptureQueriesContext(connection) as first:
        report = importer.run_import(path, organisation=world.own, actor=SYSTEM, fmt="vigie")
    assert report.created == 8
    reads = [q["sql"] for q in first.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if "source_record_id" in sql and " IN (" in sql]
    # the organisation now has cases: a re-import looks each batch up and updates
    with CaptureQueriesContext(connection) as again:
        report = importer.run_import(path, organisation=world.own, actor=SYSTEM, fmt="vigie")
    assert (report.created, report.updated) == (0, 8)
    reads = [q["sql"] for q in again.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if "source_record_id" in sql and " IN (" in sql]) >= 4
    assert Case.objects.filter(organisation=world.own).count() == 8


@pytest.mark.parametrize("partial", [False, True])
def test_cases_saved_during_an_import_into_an_empty_organisation_are_met_not_crashed_into(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partial: bool
) -> None:
    """The import skips look-ups (the organisation was empty) until the unique constraints
    refuse a batch: that batch is written again with them."""
    monkeypatch.setattr(importer, "BATCH", 2)
    path = tmp_path / "cases.csv"
    case_records.write_file(path, 8, seed=12, layout="vigie")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    same_record, same_reference = rows[6], rows[4]

    def meanwhile(done: int, message: str, report: checking.Report) -> None:
        if done != 2:
            return
        # after the first batch, somebody saves two cases that later rows name
        services.save_record(
            SYSTEM,
            world.own,
            {
                "reference": "SAVED-BY-HAND",
                "source_type": same_record["case.source_type"],
                "source_record_id": same_record["case.source_record_id"],
                "country": "LY",
            },
        )
        if partial:
            services.save_record(
                SYSTEM,
                world.own,
                {"reference": same_reference["case.reference"], "country": "IQ"},
            )

    report = importer.run_import(
        path,
        organisation=world.own,
        actor=SYSTEM,
        fmt="vigie",
        partial=partial,
        rejects=tmp_path / "r.csv",
        progress=meanwhile,
    )
    updated = Case.objects.get(organisation=world.own, reference=same_record["case.reference"])
    assert updated.source_record_id == same_record["case.source_record_id"]
    if partial:
        assert (report.created, report.updated, report.rejected) == (6, 1, 1)
        (problem,) = report.problems
        assert (problem["row"], problem["column"]) == (6, "reference")
        assert problem["reason"] == "is already used by another case"
        assert Case.objects.filter(organisation=world.own).count() == 8
    else:
        assert (report.created, report.updated, report.rejected) == (7, 1, 0)
        assert Case.objects.filter(organisation=world.own).count() == 8
