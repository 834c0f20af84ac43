"""The bulk path (import: ``bulk.build`` + ``bulk_write.write``, inserts and set-based updates,
and updates staged as copies then swapped in, ADR 0047) stores exactly what the ORM path
(``services.save_record``) stores for the same record: every column of every row, identities
decrypted, without ids, uuids and times."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases import records, services
from vigie.cases.interchange import bulk, bulk_write, staging
from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD, without
from vigie.devtools import case_records
from vigie.testing import SYSTEM, World

VOLATILE = {"uuid", "created_at", "updated_at", "victim", "incident"}
SECTIONS = set(services.ORDER)


def _record(seed: int, i: int) -> dict[str, Any]:
    data = case_records.synthetic_record(random.Random(seed), i)
    data["reference"] = f"P-{seed}-{i}"
    data["source_record_id"] = f"p-{seed}-{i}"
    return data


def _stored(case: Case) -> Any:
    case = Case.objects.get(pk=case.pk)
    out = without(records.serialize(case, with_identity=True), VOLATILE)
    return out | {"codes_index": case.codes_index, "search_text": case.search_text}


def _by_bulk(world: World, data: dict[str, Any], existing: Case | None = None) -> Case:
    parsed = records.validate(data, allow_identity=True)
    assert not parsed.problems, parsed.problems
    built = bulk.build(world.own.pk, None, [parsed])
    replaced = {}
    if existing is not None:
        given = frozenset(s for s in SECTIONS if s in data)
        replaced = {
            0: bulk_write.Existing(existing.pk, existing.created_at, frozenset(parsed.case), given)
        }
        assert bulk_write.replaceable(replaced) == {0}
    with transaction.atomic():
        (pk,) = services.import_built(SYSTEM, world.own, built, None, replaced)
    return Case.objects.get(pk=pk)


def _by_copy(world: World, data: dict[str, Any], existing: Case) -> Case:
    """``existing`` updated as a staged import does: the record staged as a copy of it, then
    swapped in and the stage published."""
    parsed = records.validate(data, allow_identity=True)
    assert not parsed.problems, parsed.problems
    built = bulk.build(world.own.pk, None, [parsed])
    given = frozenset(s for s in SECTIONS if s in data)
    target = bulk_write.Existing(existing.pk, existing.created_at, frozenset(parsed.case), given)
    assert bulk_write.replaceable({0: target}) == {0}
    stage = staging.open_stage(world.own, SYSTEM)
    with transaction.atomic():
        services.import_built(SYSTEM, world.own, built, stage=stage.pk, copies={0: target})
    assert Case.objects.get(pk=existing.pk).updated_at == existing.updated_at  # not yet
    with transaction.atomic():
        assert list(staging.swap(stage)) == [existing.pk]
        staging.publish(stage)
    # the copy stays staged, invisible, until the importer deletes it after the commit
    assert Case.all_objects.filter(replaces=existing).exclude(stage=None).count() == 1
    staging.discard(stage.pk)
    assert not Case.all_objects.filter(replaces=existing).exists()
    return Case.objects.get(pk=existing.pk)


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), i=st.integers(1, 500), later=st.integers(0, 10_000))
def test_bulk_and_orm_paths_store_identical_rows(
    world: World, seed: int, i: int, later: int
) -> None:
    first = _record(seed, i)
    with transaction.atomic():
        sid = transaction.savepoint()
        orm = services.save_record(SYSTEM, world.own, copy.deepcopy(first))
        fast, staged = (
            _by_bulk(
                world,
                first
                | {
                    "reference": first["reference"] + tail,
                    "source_record_id": first["source_record_id"] + tail,
                },
            )
            for tail in ("-b", "-c")
        )
        a, b = _stored(orm), _stored(fast)
        assert without(b, {"reference", "source_record_id", "search_text"}) == without(
            a, {"reference", "source_record_id", "search_text"}
        )
        # the same update (another synthetic record for the same case) by both paths
        change = _record(later, i) | {"reference": first["reference"]}
        change["source_record_id"] = first["source_record_id"]
        for section in SECTIONS - set(change):
            change[section] = []  # replaced by nothing (a section left out is kept as it is)
        services.save_record(
            SYSTEM, world.own, copy.deepcopy(change), instance=orm, perm="case.import"
        )
        change_b = change | {"reference": first["reference"] + "-b"}
        change_b["source_record_id"] = first["source_record_id"] + "-b"
        _by_bulk(world, change_b, existing=fast)
        change_c = change | {"reference": first["reference"] + "-c"}
        change_c["source_record_id"] = first["source_record_id"] + "-c"
        _by_copy(world, change_c, existing=staged)
        a = _stored(orm)
        for b in (_stored(fast), _stored(staged)):
            assert without(b, {"reference", "source_record_id", "search_text"}) == without(
                a, {"reference", "source_record_id", "search_text"}
            )
        for case in (fast, staged):
            kept = Case.objects.get(pk=case.pk)
            assert (kept.created_at, kept.uuid) == (case.created_at, case.uuid)  # kept
        transaction.savepoint_rollback(sid)


def test_a_case_with_rows_the_file_leaves_out_is_not_replaced_set_based(world: World) -> None:
    case = services.save_record(SYSTEM, world.own, copy.deepcopy(RECORD))
    given = frozenset({"victims", "exploitations"})  # the record keeps the route, perpetrators
    candidate = {0: bulk_write.Existing(case.pk, case.created_at, frozenset({"summary"}), given)}
    assert bulk_write.replaceable(candidate) == set()
