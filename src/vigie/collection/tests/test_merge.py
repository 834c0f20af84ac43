"""Accepting a submission into an existing case: the merge rules of ADR 0910 (fill what is
empty, never overwrite silently, add exploitations, keep what the case has)."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases import services as cases
from vigie.cases.models import Case
from vigie.collection import receipt
from vigie.collection.models import Submission
from vigie.collection.tests.conftest import instance
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world: World) -> Case:
    record = {
        "source_type": "hotline",
        "source_attributes": {"place": "Kept"},
        "victims": [{"key": "a", "sex": "female"}],
        "exploitations": [{"victim": "a", "forms": ["servitude"]}],
    }
    return cases.save_record(Actor(user=world.users["case_manager"]), world.own, record)


@pytest.fixture
def submission(published: Any, device: Any) -> Submission:
    xml = instance(gender="Masculine", extra="<place>Elsewhere</place>")
    return receipt.receive(device.device, xml, [])[0]


def _accept(client: Any, sub: Submission, **body: Any) -> Any:
    return client.post(f"/api/collection/submissions/{sub.uuid}/accept/", body, format="json")


def test_a_conflict_is_refused_until_the_reviewer_chooses(
    world: World, api: Any, case: Case, submission: Submission
) -> None:
    client = api(world.users["field_officer"])
    victim = str(case.victims.get().uuid)
    refused = _accept(client, submission, case=case.reference, victim=victim)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "merge_conflict" and problem["detail"]["conflicts"] == ["victim.sex"]
    assert "Masculine" not in refused.content.decode()  # fields named, never values
    submission.refresh_from_db()
    assert submission.status == "waiting" and case.victims.get().sex == "female"

    kept = _accept(client, submission, case=case.reference, victim=victim, on_conflict="keep")
    assert kept.status_code == 200, kept.content
    assert kept.json()["case"] == str(case.uuid)
    report = kept.json()["merge_report"]
    assert report["kept"] == ["victim.sex"] and report["replaced"] == []
    assert {"victim.citizenship", "victim.age_at_identification"} <= set(report["filled"])
    case.refresh_from_db()
    person = case.victims.get()
    assert (person.sex, person.citizenship) == ("female", "IQ")
    assert person.age_at_identification is not None
    forms = sorted(tuple(e.forms) for e in case.exploitations.filter(victim=person))
    assert forms == [("forced_labour", "forced_marriage"), ("servitude",)]
    assert case.source_type == "hotline"  # provenance of the case kept
    assert case.source_attributes["place"] == "Kept"
    assert case.source_attributes[f"place ({submission.instance_id})"] == "Elsewhere"
    assert case.source_attributes["prs_First_Name"] == "Synthetic"


def test_replace_takes_the_submission_value(
    world: World, api: Any, case: Case, submission: Submission
) -> None:
    victim = str(case.victims.get().uuid)
    client = api(world.users["field_officer"])
    done = _accept(
        client,
        submission,
        case=case.uuid.hex and str(case.uuid),
        victim=victim,
        on_conflict="replace",
    )
    assert done.status_code == 200, done.content
    assert done.json()["merge_report"]["replaced"] == ["victim.sex"]
    assert case.victims.get().sex == "male"


def test_without_a_victim_the_submission_adds_one(
    world: World, api: Any, case: Case, submission: Submission
) -> None:
    done = _accept(api(world.users["field_officer"]), submission, case=case.reference)
    assert done.status_code == 200, done.content
    assert sorted(case.victims.values_list("sex", flat=True)) == ["female", "male"]
    assert Case.objects.count() == 1


def test_only_a_case_of_the_submission_organisation_the_reviewer_may_change(
    world: World, api: Any, case: Case, submission: Submission
) -> None:
    client = api(world.users["field_officer"])
    Case.objects.filter(pk=case.pk).update(organisation=world.other)
    assert _accept(client, submission, case=case.reference).status_code == 404
    Case.objects.filter(pk=case.pk).update(organisation=world.own)
    foreign = _accept(client, submission, case=case.reference, victim=str(submission.uuid))
    assert foreign.status_code == 404  # not a victim of this case
    assert _accept(client, submission, case="C-NOPE").status_code == 404
    submission.refresh_from_db()
    assert submission.status == "waiting"


def test_reject_with_a_reason_through_the_api(
    world: World, api: Any, submission: Submission
) -> None:
    client = api(world.users["field_officer"])
    url = f"/api/collection/submissions/{submission.uuid}/reject/"
    assert client.post(url, {"reason": " "}, format="json").status_code == 400
    done = client.post(url, {"reason": "a test entry"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert _accept(client, submission).status_code == 409


def test_merge_through_the_web(world: World, web: Any, case: Case, submission: Submission) -> None:
    client = web(world.users["field_officer"])
    url = f"/collection/submissions/{submission.uuid}/merge/"
    victim = str(case.victims.get().uuid)
    page = client.get(url, {"case": case.reference, "victim": victim})
    text = page.content.decode()
    assert page.status_code == 200 and "Victim 1" in text
    assert "victim.sex" in text and "victim.citizenship" in text  # conflict and fill shown
    refused = client.post(url, {"case": case.reference, "victim": victim, "on_conflict": "refuse"})
    assert refused.status_code == 409 and "victim.sex" in refused.content.decode()
    done = client.post(url, {"case": case.reference, "victim": victim, "on_conflict": "keep"})
    assert done.status_code == 302
    submission.refresh_from_db()
    assert submission.case == case and submission.merge_report["kept"] == ["victim.sex"]
    shown = client.get(f"/collection/submissions/{submission.uuid}/").content.decode()
    assert "victim.citizenship" in shown
    assert client.get(url, {"case": "C-NOPE"}).status_code == 404
