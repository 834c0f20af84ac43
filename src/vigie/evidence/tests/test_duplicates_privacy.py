"""Issue 15: uploading a file identical to another organisation's evidence must not reveal
that organisation's item (``duplicate_of`` names only items of the uploader's organisation),
one by one, in batches, through the API and on the item page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.core.actor import Actor
from vigie.core.models import Membership, User
from vigie.evidence import batch, services
from vigie.evidence.tests.factories import add
from vigie.testing import World

CASE = {"case_ref": "C-1", "external_case": "true"}
DATA = b"the same witness statement, held by two organisations " * 50


def _foreign_item(world: World) -> Any:
    outsider = User.objects.create(username="other-investigator")
    Membership.objects.create(user=outsider, organisation=world.other, role="investigator")
    return add(world, DATA, name="theirs.txt", org=world.other, user=outsider).item


def test_the_api_does_not_name_another_organisations_item(world: World, api: Any) -> None:
    theirs = _foreign_item(world)
    body = {"file": SimpleUploadedFile("ours.txt", DATA), **CASE}
    r = api(world.users["investigator"]).post("/api/evidence/items/", body, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["duplicate_of"] is None
    assert str(theirs.uuid) not in r.content.decode()
    # a second copy in the same organisation is reported as a duplicate of the first
    body = {"file": SimpleUploadedFile("again.txt", DATA), **CASE}
    again = api(world.users["investigator"]).post("/api/evidence/items/", body, format="multipart")
    assert again.json()["duplicate_of"] == r.json()["uuid"]


def test_the_item_page_lists_no_foreign_duplicate(world: World, web: Any) -> None:
    ours = add(world, DATA, name="ours.txt").item
    outsider = User.objects.create(username="other-investigator")
    Membership.objects.create(user=outsider, organisation=world.other, role="investigator")
    theirs = add(world, DATA, name="theirs.txt", org=world.other, user=outsider).item
    assert theirs.duplicate_of is None  # linked within its own organisation only
    page = web(world.users["investigator"]).get(f"/evidence/{ours.uuid}/")
    assert page.status_code == 200
    assert str(theirs.uuid) not in page.content.decode()


def test_batches_do_not_name_another_organisations_item(world: World, tmp_path: Path) -> None:
    theirs = _foreign_item(world)
    path = tmp_path / "ours.txt"
    path.write_bytes(DATA)
    outs = list(
        batch.ingest_many(
            Actor(user=world.users["investigator"]),
            world.own,
            [(path.name, batch.file_opener(path))],
            collection=services.Collection(case_ref="B-1", external_case=True),
        )
    )
    assert outs[0].error == "" and outs[0].duplicate_of_uuid == ""
    assert outs[0].item is not None and outs[0].item.duplicate_of_id != theirs.pk
