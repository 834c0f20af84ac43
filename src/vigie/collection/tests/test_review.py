"""The review queue: a submission beside the form's labels, accepted into a new case (with
its attachment moved to the evidence vault) or rejected with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case
from vigie.collection import receipt, services
from vigie.collection.models import Attachment, Submission
from vigie.collection.tests.conftest import instance
from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.evidence.models import CustodyEntry, Item
from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(published: Any, device: Any) -> Submission:
    photo = receipt.Upload("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 synthetic photo")
    sub, created = receipt.receive(device.device, instance(), [photo])
    assert created
    return sub


def test_accept_into_a_new_case_through_the_web(
    world: World, web: Any, submission: Submission
) -> None:
    client = web(world.users["field_officer"])
    queue = client.get("/collection/submissions/").content.decode()
    assert str(submission.uuid) in queue
    page = client.get(f"/collection/submissions/{submission.uuid}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Gender" in text and "Feminine" in text  # the form's label beside the value
    assert AccessLogEntry.objects.filter(object_type="collection.submission").exists()
    response = client.post(f"/collection/submissions/{submission.uuid}/accept/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "accepted"
    case = Case.objects.get(pk=submission.case_id)
    assert case.organisation == world.own and case.source_record_id == submission.instance_id
    victim = case.victims.get()
    assert (victim.sex, victim.citizenship) == ("female", "IQ")
    assert victim.age_at_identification is not None and victim.age_at_identification >= 15
    forms = case.exploitations.get().forms
    assert set(forms) == {"forced_labour", "forced_marriage"}
    assert case.exploitations.get().country == "SY"
    assert case.source_attributes["prs_First_Name"] == "Synthetic"
    item = Item.objects.get()
    att = Attachment.objects.get()
    assert item.blob.sha256 == att.sha256 and att.evidence_item == item.uuid
    assert att.content is None
    events = list(CustodyEntry.objects.filter(item=item).values_list("event", flat=True))
    assert "transferred" in events
    moved = CustodyEntry.objects.get(item=item, event="transferred")
    assert moved.detail["instance_id"] == submission.instance_id
    again = client.post(f"/collection/submissions/{submission.uuid}/accept/")
    assert again.status_code == 302 and Case.objects.count() == 1


def test_reject_needs_a_reason(world: World, web: Any, submission: Submission) -> None:
    client = web(world.users["case_manager"])
    url = f"/collection/submissions/{submission.uuid}/reject/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "test data"}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == "rejected" and submission.reject_reason == "test data"
    assert not Case.objects.exists()


def test_other_organisation_and_other_roles_cannot_review(
    world: World, web: Any, submission: Submission
) -> None:
    assert web(world.users["analyst"]).get("/collection/submissions/").status_code == 403
    with pytest.raises(Exception, match=r"collection\.review"):
        services.accept(Actor(user=world.users["analyst"]), submission)
    Submission.objects.filter(pk=submission.pk).update(organisation=world.other)
    page = web(world.users["field_officer"]).get(f"/collection/submissions/{submission.uuid}/")
    assert page.status_code == 404


def test_unmapped_value_is_a_mapping_problem(
    world: World, web: Any, published: Any, device: Any
) -> None:
    sub, _ = receipt.receive(device.device, instance(gender="Nonsense"), [])
    page = web(world.users["field_officer"]).get(f"/collection/submissions/{sub.uuid}/")
    assert "prs_Gender" in page.content.decode() and "Nonsense" in page.content.decode()
    case = services.accept(Actor(user=world.users["field_officer"]), sub)
    assert case.victims.get().sex == "" and case.source_attributes["prs_Gender"] == "Nonsense"


def test_device_credentials_page_shows_the_secret_once(world: World, web: Any) -> None:
    client = web(world.users["org_admin"])
    response = client.post(
        "/collection/devices/", {"label": "Team B", "organisation": world.own.pk}
    )
    text = response.content.decode()
    assert (
        response.status_code == 200 and "<svg" in text and response["Cache-Control"] == "no-store"
    )
    from vigie.collection.models import Device

    device = Device.objects.get(label="Team B")
    assert device.username in text and device.secret_hash not in text
    forms_page = client.get("/collection/forms/").content.decode()
    assert device.username in forms_page
    client.post(f"/collection/devices/{device.pk}/revoke/")
    device.refresh_from_db()
    assert device.revoked_at is not None
