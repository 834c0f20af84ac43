"""Issue 14: screening chooses the organisation a subject or batch is for with the one rule,
``vigie.core.actor.acting_organisation``, not the user's first organisation."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Job, Membership, User
from vigie.screening import batch_review
from vigie.screening.models import Subject
from vigie.testing import World


def _in_two(world: World) -> User:
    officer = world.users["screening_officer"]
    Membership.objects.create(user=officer, organisation=world.other, role="screening_officer")
    return User.objects.get(pk=officer.pk)


def test_a_user_in_two_organisations_names_the_one_a_subject_is_for(world: World, api: Any) -> None:
    client = api(_in_two(world))
    body = {"name": "Synthetic Supplier", "kind": "Organization", "purpose": "supplier"}
    res = client.post("/api/screening/subjects/", body, format="json")
    assert res.status_code == 400 and res.json()["code"] == "organisation_required"
    assert not Subject.objects.exists()
    res = client.post("/api/screening/subjects/", {**body, "organisation": "nowhere"})
    assert res.status_code == 400 and res.json()["code"] == "unknown_organisation"
    res = client.post("/api/screening/subjects/", {**body, "organisation": "other-org"})
    assert res.status_code == 201, res.content
    assert Subject.objects.get().organisation == world.other


def test_a_user_in_one_organisation_need_not_name_it(world: World, api: Any) -> None:
    body = {"name": "Synthetic Supplier", "kind": "Organization", "purpose": "supplier"}
    res = api(world.users["screening_officer"]).post("/api/screening/subjects/", body)
    assert res.status_code == 201 and Subject.objects.get().organisation == world.own


def test_a_batch_without_organisation_is_kept_only_for_a_user_of_one(world: World) -> None:
    officer = world.users["screening_officer"]
    job = Job.objects.create(kind="screening.batch", created_by=officer, params={})
    assert batch_review.organisation_of(job) == world.own
    job.created_by = _in_two(world)  # acting for two: no silent choice of the first
    assert batch_review.organisation_of(job) is None
