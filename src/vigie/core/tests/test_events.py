"""Every writer of case records and evidence items announces its change (ADR 0008).

The writers are enumerated from the services modules: a public function whose name says it
writes (``save_``, ``create_``, ``import_``, ``delete_``, ``ingest``, ``seal_``...) must have a
scenario below, and each scenario must end with a ``records_changed`` event of its record
type, sent after the commit. The import job and the evidence batch ingest are writers too.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.db import transaction

from vigie.cases import records
from vigie.cases import services as case_services
from vigie.cases.interchange import bulk, importer
from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD
from vigie.core.actor import Actor
from vigie.core.models import Membership, User
from vigie.evidence import batch
from vigie.evidence import services as evidence_services
from vigie.evidence.models import Item
from vigie.testing import World, assert_announced_after_commit, writers

FIXTURES = Path(__file__).resolve().parents[2] / "cases" / "tests" / "fixtures"
WRITES = re.compile(
    r"^(create|update|save|import|delete|ingest|seal|release|transfer|approve|request|add|"
    r"remove|set|write|record)(_|$)"
)
SYSTEM = Actor.system("test of the change events")


@pytest.fixture(autouse=True)
def vault_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)


def _record(ref: str) -> dict[str, Any]:
    return copy.deepcopy(RECORD) | {"reference": ref, "source_record_id": f"src-{ref}"}


def _case(world: World, ref: str = "E-1") -> Case:
    return case_services.save_record(SYSTEM, world.own, _record(ref))


def _item(world: World) -> Item:
    return evidence_services.ingest(
        _as(world.users["investigator"], world),
        world.own,
        io.BytesIO(b"a statement"),
        name="statement.txt",
        collection=evidence_services.Collection(case_ref="EXT-1", external_case=True),
    ).item


def _as(user: User, world: World) -> Actor:
    return Actor(user=user, organisation_id=world.own.pk)


def _second_investigator(world: World) -> User:
    user = User.objects.create(username="u-investigator-2")
    Membership.objects.create(user=user, organisation=world.own, role="investigator")
    return user


# Each scenario: (set-up run before the capture, the write) -> the record type it changes.
Setup = Callable[[World, Path], Any]
Write = Callable[[World, Path, Any], Any]


def _import_built(world: World, tmp: Path, _: Any) -> Any:
    built = bulk.build(world.own.pk, None, [records.validate(_record("B-1"), allow_identity=True)])
    with transaction.atomic():
        return case_services.import_built(SYSTEM, world.own, built)


def _sealed(world: World, tmp: Path) -> Item:
    item = _item(world)
    return evidence_services.seal_item(
        _as(world.users["investigator"], world), item, "protect the witness"
    )


def _requested(world: World, tmp: Path) -> Any:
    item = _sealed(world, tmp)
    return evidence_services.request_access(
        _as(_second_investigator(world), world), item, "to prepare"
    )


def _batch(world: World, tmp: Path, _: Any) -> Any:
    files = [(f"f{i}.txt", _opener(f"file {i}".encode())) for i in range(3)]
    collection = evidence_services.Collection(case_ref="EXT-2", external_case=True)
    return list(
        batch.ingest_many(
            _as(world.users["investigator"], world), world.own, files, collection=collection
        )
    )


def _opener(data: bytes) -> Any:
    def opener() -> Any:
        return io.BytesIO(data)

    return opener


def _summaries(path: Path, summary: str) -> Path:
    """A Vigie-layout file of three cases with the given summary."""
    rows = [f"EVT-{n},case_management,evt-{n},{summary}" for n in range(3)]
    header = "case.reference,case.source_type,case.source_record_id,case.summary"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


SCENARIOS: dict[str, tuple[Setup | None, Write, str, str]] = {
    "cases.services.save_record": (
        None,
        lambda w, t, _: _case(w),
        "cases.case",
        "created",
    ),
    "cases.services.save_record (update)": (
        lambda w, t: _case(w),
        lambda w, t, case: case_services.save_record(
            SYSTEM, w.own, {"summary": "changed"}, instance=case
        ),
        "cases.case",
        "changed",
    ),
    "cases.services.import_built": (None, _import_built, "cases.case", "created"),
    "cases.services.delete_case": (
        lambda w, t: _case(w),
        lambda w, t, case: case_services.delete_case(SYSTEM, case),
        "cases.case",
        "deleted",
    ),
    "cases.importer.run_import": (
        None,
        lambda w, t, _: importer.run_import(
            FIXTURES / "ctdc_sample.csv", organisation=w.own, actor=SYSTEM
        ),
        "cases.case",
        "created",
    ),
    # a re-import that changes the cases (an identical one changes nothing and says so: ADR
    # 0047, test_import_staged_digests)
    "cases.importer.run_import (again)": (
        lambda w, t: importer.run_import(
            _summaries(t / "first.csv", "first"), organisation=w.own, actor=SYSTEM, fmt="vigie"
        ),
        lambda w, t, _: importer.run_import(
            _summaries(t / "again.csv", "revised"), organisation=w.own, actor=SYSTEM, fmt="vigie"
        ),
        "cases.case",
        "changed",
    ),
    "evidence.services.ingest": (None, lambda w, t, _: _item(w), "evidence.item", "created"),
    "evidence.services.seal_item": (
        lambda w, t: _item(w),
        lambda w, t, item: evidence_services.seal_item(
            _as(w.users["investigator"], w), item, "why"
        ),
        "evidence.item",
        "changed",
    ),
    "evidence.services.release_item": (
        _sealed,
        lambda w, t, item: evidence_services.release_item(
            _as(_second_investigator(w), w), item, "no longer needed"
        ),
        "evidence.item",
        "changed",
    ),
    "evidence.services.request_access": (
        _sealed,
        lambda w, t, item: evidence_services.request_access(
            _as(_second_investigator(w), w), item, "to prepare the hearing"
        ),
        "evidence.accessapproval",
        "created",
    ),
    "evidence.services.approve_access": (
        _requested,
        lambda w, t, approval: evidence_services.approve_access(
            _as(w.users["investigator"], w), approval
        ),
        "evidence.accessapproval",
        "changed",
    ),
    "evidence.services.transfer_item": (
        lambda w, t: _item(w),
        lambda w, t, item: evidence_services.transfer_item(
            _as(w.users["investigator"], w), item, w.other, "handed to the prosecutor"
        ),
        "evidence.item",
        "changed",
    ),
    "evidence.services.record_receipt": (
        lambda w, t: _item(w),
        lambda w, t, item: evidence_services.record_receipt(
            _as(w.users["investigator"], w), item, {"from": "collection", "instance_id": "uuid:1"}
        ),
        "evidence.item",
        "changed",
    ),
    "evidence.batch.ingest_many": (None, _batch, "evidence.item", "created"),
}


def _writers(module: ModuleType) -> set[str]:
    return {f"{module.__name__.removeprefix('vigie.')}.{name}" for name in writers(module, WRITES)}


def test_every_writer_has_a_scenario() -> None:
    found = _writers(case_services) | _writers(evidence_services)
    covered = {name.split(" ")[0] for name in SCENARIOS}
    assert found, "the writers were not found: is the pattern still right?"
    assert found <= covered, f"writers without a change-event scenario: {found - covered}"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_writer_announces_its_change_after_commit(
    name: str,
    world: World,
    tmp_path: Path,
    changes: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    setup, write, kind, action = SCENARIOS[name]
    with django_capture_on_commit_callbacks(execute=True):
        before = setup(world, tmp_path) if setup else None
    assert_announced_after_commit(
        changes,
        django_capture_on_commit_callbacks,
        lambda: write(world, tmp_path, before),
        kind,
        action,
    )


def test_a_rolled_back_write_announces_nothing(
    world: World, changes: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _case(world)
                raise Undo
        except Undo:
            pass
    assert not changes
