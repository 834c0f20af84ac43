"""The REST API of field collection, and its place in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.collection import receipt
from vigie.collection.tests.conftest import HTCDS, VERSION, instance
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_publish_issue_review_through_the_api(world: World, api: Any) -> None:
    manager = api(world.users["case_manager"])
    with HTCDS.open("rb") as f:
        response = manager.post(
            "/api/collection/forms/",
            {"xlsform": f, "organisations": ["own-org"]},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == VERSION
    issued = manager.post(
        "/api/collection/devices/", {"label": "Team C", "organisation": "own-org"}, format="json"
    )
    assert issued.status_code == 201 and issued.json()["password"]
    from vigie.collection.models import Device

    device = Device.objects.get(pk=issued.json()["id"])
    sub, _ = receipt.receive(device, instance(), [])
    forms = manager.get("/api/collection/forms/").json()
    assert forms[0]["received"] == 1 and forms[0]["waiting"] == 1
    listed = manager.get("/api/collection/submissions/?status=waiting").json()
    assert [s["uuid"] for s in listed] == [str(sub.uuid)]
    detail = manager.get(f"/api/collection/submissions/{sub.uuid}/").json()
    gender = next(a for a in detail["answers"] if a["path"] == "prs_Gender")
    assert gender["question"] == "Gender"
    refused = manager.post(f"/api/collection/submissions/{sub.uuid}/reject/", {}, format="json")
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/problem+json")
    accepted = manager.post(f"/api/collection/submissions/{sub.uuid}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["case"]
    twice = manager.post(f"/api/collection/submissions/{sub.uuid}/accept/", {}, format="json")
    assert twice.status_code == 409
    revoked = manager.post(f"/api/collection/devices/{device.pk}/revoke/")
    assert revoked.json()["revoked_at"]


def test_xlsform_error_is_a_problem_document(world: World, api: Any) -> None:
    import io

    from vigie.collection.tests.test_forms import xlsform

    bad = io.BytesIO(xlsform([["text", "a b", "A"]], {"form_id": "f", "version": "1"}))
    bad.name = "f.xlsx"
    response = api(world.users["case_manager"]).post(
        "/api/collection/forms/", {"xlsform": bad, "organisations": ["own-org"]}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "xlsform_invalid"
    assert (body["detail"]["sheet"], body["detail"]["row"]) == ("survey", 2)


def test_schema_lists_the_collection_api(world: World, api: Any) -> None:
    schema = api(world.users["case_manager"]).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"] if "json" in schema["Content-Type"] else {}
    text = schema.content.decode()
    assert "/api/collection/forms/" in text and "/api/collection/submissions/" in text
    assert paths is not None
