"""A re-import whose rows change a case's lists updates the case's rows in place, each paired
with the copy's row of the same rank (issue 15 item 3; ADR 0047, ninth round): the rows keep
their ids and uuids, so what points at a victim still points at the same person; rows left
unpaired are deleted (the case's) or moved (the copy's); the store, links between the rows
included, is what an unstaged import of the same files stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.cases import records
from vigie.cases.interchange import importer
from vigie.cases.models import Case, Victim
from vigie.cases.services import ORDER
from vigie.cases.tests.test_import_staged import _stored
from vigie.cases.tests.test_import_staged_copies import _published, _reimport
from vigie.cases.tests.test_import_staged_digests import _edit, _import
from vigie.core.actor import Actor
from vigie.devtools.case_records import write_file
from vigie.testing import World

ROWS = 30


def _links(org: Any) -> dict[str, list[tuple[str, tuple[int | None, ...]]]]:
    """Per case, each row's links to the case's other rows, as ranks (by id) in their
    lists: a link to a row of another case (a copy's) fails the look-up."""
    out: dict[str, list[tuple[str, tuple[int | None, ...]]]] = {}
    for case in Case.objects.filter(organisation=org):
        rank: dict[type, dict[int, int]] = {}
        rows = []
        for section in ORDER:
            model = records.CHILDREN[section]
            found = list(model.objects.filter(case=case).order_by("pk"))
            rank[model] = {r.pk: i for i, r in enumerate(found)}
            rows += [(section, r) for r in found]
        linked = []
        for section, row in rows:
            ranks = tuple(
                None
                if getattr(row, f.attname) is None
                else rank[f.related_model][getattr(row, f.attname)]
                for f in row._meta.concrete_fields
                if f.is_relation and f.related_model in rank
            )
            linked.append((section, ranks))
        out[case.source_record_id] = linked
    return out


def _victims() -> dict[str, list[tuple[int, Any]]]:
    out: dict[str, list[tuple[int, Any]]] = {}
    for sid, pk, uuid in Victim.objects.values_list(
        "case__source_record_id", "pk", "uuid"
    ).order_by("pk"):
        out.setdefault(sid, []).append((pk, uuid))
    return out


def _unstaged(world: World, *paths: Path) -> None:
    other = Actor.system("test", world.other.pk)
    for path in paths:
        done = importer.run_import(
            path, organisation=world.other, actor=other, fmt="vigie", partial=True
        )
        assert done.written and done.rejected == 0


@pytest.mark.django_db(transaction=True)
def test_changed_victims_are_updated_in_place(
    world: World, tmp_path: Path, small_batches: None
) -> None:
    """Every row changes its victim's family name: every victim keeps its id and uuid and
    takes the new name (a row without one gets one); the store and the links are the
    unstaged import's."""
    first = tmp_path / "first.csv"
    write_file(first, ROWS, seed=5, layout="vigie", identities=True)
    assert _import(world, first).created == ROWS
    second = _edit(first, tmp_path / "b.csv", set(range(ROWS)), "victim.family_name", "Renamed")
    before = _victims()
    report = _import(world, second)
    assert report.written and report.updated == ROWS and report.unchanged == 0, report
    after = _victims()
    assert before and {sid: after[sid] for sid in before} == before  # a row may add one
    names = {v.family_name for v in Victim.objects.filter(organisation=world.own)}
    assert names == {"Renamed"}
    _unstaged(world, first, second)
    assert _stored(world.own) == _stored(world.other)
    assert _links(world.own) == _links(world.other)
    assert not Case.all_objects.filter(replaces__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_rows_left_unpaired_are_deleted_or_moved_with_their_links(
    world: World, tmp_path: Path, small_batches: None
) -> None:
    """Another file of the same cases (other lists, of other lengths): the first rows of
    each list keep their ids, the case's extra rows are gone, the copy's extra rows are
    the case's now, and every link names a row of the same case, as the unstaged import
    stores them."""
    second, _before = _published(world, tmp_path)
    before = _victims()
    assert _reimport(world, second).written
    after = _victims()
    lengths = {len(before.get(s, [])) != len(after.get(s, [])) for s in before | after}
    assert lengths == {True, False}  # some lists grew or shrank, some kept their length
    for sid in before.keys() & after.keys():
        n = min(len(before[sid]), len(after[sid]))
        assert after[sid][:n] == before[sid][:n], sid
    own, other = _stored(world.own), _stored(world.other)
    assert own == other
    assert _links(world.own) == _links(world.other)
    assert not Case.all_objects.filter(replaces__isnull=False).exists()
