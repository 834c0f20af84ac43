"""Per-team publishing: a form published to some field teams is seen (form list, download,
submission) by those teams' devices only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.collection import services
from vigie.collection.models import Submission
from vigie.collection.tests.conftest import HTCDS, basic, instance
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.django_db
URL = "/collect/own-org"


def test_devices_see_only_their_teams_forms(world: World, client: Any, api: Any) -> None:
    manager = Actor(user=world.users["case_manager"])
    services.publish_form(manager, HTCDS.read_bytes(), HTCDS.name, [world.own], teams=["North"])
    north = services.issue_device(manager, world.own, "N1", team="North")
    south = services.issue_device(manager, world.own, "S1", team="South")
    anyone = services.issue_device(manager, world.own, "A1")
    assert b"htcds_xlsform" in client.get(f"{URL}/formList", **basic(north)).content
    for other in (south, anyone):
        assert b"htcds_xlsform" not in client.get(f"{URL}/formList", **basic(other)).content
        form = client.get(f"{URL}/forms/htcds_xlsform/form.xml", **basic(other))
        assert form.status_code == 404
    sent = {"xml_submission_file": SimpleUploadedFile("s.xml", instance("uuid:t-1"))}
    assert client.post(f"{URL}/submission", sent, **basic(south)).status_code == 404
    sent = {"xml_submission_file": SimpleUploadedFile("s.xml", instance("uuid:t-1"))}
    assert client.post(f"{URL}/submission", sent, **basic(north)).status_code == 201
    assert Submission.objects.get().device == north.device
    # republished for every team: every device sees it again
    with HTCDS.open("rb") as fh:
        response = api(world.users["case_manager"]).post(
            "/api/collection/forms/",
            {"xlsform": fh, "organisations": ["own-org"]},
            format="multipart",
        )
    assert response.status_code == 201
    assert b"htcds_xlsform" in client.get(f"{URL}/formList", **basic(south)).content
    forms = api(world.users["case_manager"]).get("/api/collection/forms/").json()
    assert [(t["team"], t["received"], t["waiting"]) for t in forms[0]["teams"]] == [
        ("North", 1, 1)
    ]
    devices = api(world.users["case_manager"]).get("/api/collection/devices/").json()
    assert {d["label"]: d["team"] for d in devices} == {"N1": "North", "S1": "South", "A1": None}
