"""File names and extracted metadata (EXIF: GPS position, device serial, author) are
identity (issue 15): stored encrypted, shown only with the identity permission, every view
recorded (docs/adr/0045). The photo is made by the test (no real photo)."""

from __future__ import annotations

import io
from typing import Any

from django.db import connection
from PIL import Image

from vigie.core import tokens
from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.evidence.models import Item
from vigie.evidence.tests.factories import add
from vigie.testing import World

MARK = "Mkqzxwvuterpl"


def jpeg_with_exif(marker: str) -> bytes:
    """A small JPEG whose EXIF names an author, a camera serial and a GPS position."""
    img = Image.new("RGB", (8, 8), (200, 10, 10))
    exif = Image.Exif()
    exif[0x013B] = f"{marker} author"  # Artist
    exif[0x010F] = "SyntheticCam"  # Make
    exif.get_ifd(0x8769)[0xA431] = f"{marker}-serial"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (36.0, 20.0, 0.0)  # latitude
    gps[3], gps[4] = "E", (43.0, 8.0, 0.0)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _stored(table: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return str(cur.fetchall())


def _token(user: Any, *perms: str) -> str:
    return tokens.issue(Actor(user), name="t", access="read", permissions=perms)[1]


def test_name_and_exif_are_encrypted_and_shown_only_with_identity(
    world: World, client: Any
) -> None:
    officer = world.users["field_officer"]
    got = add(world, jpeg_with_exif(MARK), name=f"statement_{MARK}.jpg", user=officer)
    item = Item.objects.get(pk=got.item.pk)
    assert item.original_name == f"statement_{MARK}.jpg"
    assert MARK in str(item.blob.metadata.data)  # extracted (and readable by the app)
    for table in ("evidence_item", "evidence_technicalmetadata", "evidence_custodyentry"):
        assert MARK not in _stored(table), table

    # a token narrowed to evidence.view: the holder may see the item, not identities
    narrow = {"HTTP_AUTHORIZATION": f"Bearer {_token(officer, 'evidence.view')}"}
    listed = client.get("/api/evidence/items/", **narrow)
    assert listed.status_code == 200 and MARK not in listed.content.decode()
    row = listed.json()["results"][0]
    assert row["original_name"] is None and row["identity_withheld"] is True
    detail = client.get(f"/api/evidence/items/{item.uuid}/", **narrow)
    assert detail.status_code == 200 and MARK not in detail.content.decode()
    assert detail.json()["metadata"]["data"] == {}
    content = client.get(f"/api/evidence/items/{item.uuid}/content/", **narrow)
    assert MARK not in content["Content-Disposition"]
    assert str(item.uuid) in content["Content-Disposition"]

    # with victim.identity.view: shown, and every showing recorded
    before = AccessLogEntry.objects.count()
    secret = _token(officer, "evidence.view", "victim.identity.view")
    full = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    listed = client.get("/api/evidence/items/", **full)
    assert listed.json()["results"][0]["original_name"] == f"statement_{MARK}.jpg"
    detail = client.get(f"/api/evidence/items/{item.uuid}/", **full).json()
    assert MARK in str(detail["metadata"]["data"])
    entries = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type) for e in entries] == [
        ("list", "evidence.item"),
        ("view", "evidence.item"),
    ]
    assert entries[0].detail == {"items": [str(item.uuid)]}
    assert {"original_name", "metadata"} <= set(entries[1].fields)
    assert MARK not in _stored("core_accesslogentry")
