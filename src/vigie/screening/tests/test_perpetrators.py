"""Perpetrators recorded in cases are screened on save (background job); open potential
matches appear on the case page for those who review screening alerts."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from vigie.cases import services as case_services
from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD
from vigie.core.actor import Actor
from vigie.core.models import Job
from vigie.screening import services
from vigie.screening.models import Hit, Subject
from vigie.screening.tests.factories import SAMPLE, un_entity, un_xml, write
from vigie.testing import World

PERSON = {"kind": "person", "name": "Ermies Testfai", "role": "recruiter"}


@pytest.fixture
def listed(tmp_path: Path, db: Any) -> Path:
    entities = [un_entity("QDe.115", "Al-Qaida in Iraq", aliases=("Synthetic Front",))]
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE, entities)))
    return tmp_path


def _record(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(RECORD)
    record["perpetrators"] = [*record["perpetrators"], dict(PERSON)]
    record.update(changes)
    return record


def _save(world: World, capture: Any, record: dict[str, Any], case: Case | None = None) -> Case:
    with capture(execute=True):
        actor = Actor(world.users["case_manager"], world.own.pk)
        return case_services.save_record(actor, world.own, record, instance=case)


def test_case_perpetrators_are_screened_and_shown_to_reviewers_only(
    world: World, web: Any, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    case = _save(world, django_capture_on_commit_callbacks, _record())
    jobs = Job.objects.filter(kind="screening.perpetrator")
    assert jobs.count() == 2 and {j.status for j in jobs} == {Job.Status.SUCCEEDED}
    subjects = Subject.objects.filter(purpose="perpetrator", organisation=world.own)
    assert subjects.count() == 2
    person = case.perpetrators.get(kind="person")
    hit = Hit.objects.get(subject__external_id=str(person.uuid))
    assert hit.entry.reference == "LYi.901" and hit.status == Hit.Status.OPEN
    group = case.perpetrators.get(kind="group")
    assert Hit.objects.filter(
        subject__external_id=str(group.uuid), entry__reference="QDe.115"
    ).exists()

    page = web(world.users["investigator"]).get(f"/cases/{case.uuid}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="case-screening"' in body
    assert "LYi.901" in body and "QDe.115" in body and f"/screening/review/{hit.pk}/" in body
    assert "Ermies" not in body  # the perpetrator's name stays hidden

    page = web(world.users["field_officer"]).get(f"/cases/{case.uuid}/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="case-screening"' not in body
    assert "LYi.901" not in body


def test_editing_an_unrelated_field_raises_no_duplicate_and_renaming_rescreens(
    world: World, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    case = _save(world, django_capture_on_commit_callbacks, _record())
    uuids = {p.kind: str(p.uuid) for p in case.perpetrators.all()}
    perpetrators = [
        {**RECORD["perpetrators"][0], "uuid": uuids["group"]},
        {**PERSON, "uuid": uuids["person"]},
    ]
    before = Hit.objects.count()
    jobs_before = Job.objects.filter(kind="screening.perpetrator").count()
    _save(
        world,
        django_capture_on_commit_callbacks,
        _record(summary="Summary corrected", perpetrators=perpetrators),
        case,
    )
    assert Hit.objects.count() == before
    assert Subject.objects.filter(purpose="perpetrator").count() == 2
    assert Job.objects.filter(kind="screening.perpetrator").count() == jobs_before

    perpetrators[1]["name"] = "Mohamed Abdulkader Al Synthetic"
    _save(world, django_capture_on_commit_callbacks, _record(perpetrators=perpetrators), case)
    assert Subject.objects.filter(purpose="perpetrator").count() == 2
    refs = set(
        Hit.objects.filter(subject__external_id=uuids["person"]).values_list(
            "entry__reference", flat=True
        )
    )
    assert "LYi.902" in refs
