"""Evidence pages through Django's test client (the browser tests drive the upload)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from vigie.core.models import Membership, User
from vigie.evidence.models import CustodyEntry
from vigie.evidence.tests.factories import add, jpeg_with_exif
from vigie.testing import World


def test_list_detail_timeline_and_download(world: World, web: Any) -> None:
    item = add(world, jpeg_with_exif(), name="ledger.jpg", case="C-W", place="Mosul").item
    client = web(world.users["investigator"])
    r = client.get("/evidence/?case=C-W")
    assert r.status_code == 200 and "ledger.jpg" in r.content.decode()
    r = client.get(f"/evidence/{item.uuid}/")
    page = r.content.decode()
    assert r.status_code == 200 and "Mosul" in page and item.blob.sha512 in page
    assert 'data-testid="custody"' in page and "received" in page
    r = client.post(f"/evidence/{item.uuid}/")
    assert 'data-testid="verify-result"' in r.content.decode()
    assert "Intact" in r.content.decode() or "Intègre" in r.content.decode()
    r = client.get(f"/evidence/{item.uuid}/download/")
    assert b"".join(r.streaming_content) == jpeg_with_exif()
    assert list(item.custody.values_list("event", flat=True))[-3:] == [
        "viewed",
        "viewed",
        "downloaded",
    ]


def test_empty_state_and_add_page(world: World, web: Any) -> None:
    client = web(world.users["investigator"])
    page = client.get("/evidence/").content.decode()
    assert "vigie evidence add" in page
    page = client.get("/evidence/add/?case=C-9").content.decode()
    assert 'id="upload-form"' in page and 'value="C-9"' in page and "evidence/upload.js" in page


def test_seal_request_approve_release_pages(world: World, web: Any) -> None:
    item = add(world, b"secret", case="C-S").item
    inv = world.users["investigator"]
    second = User.objects.create(username="second")
    Membership.objects.create(user=second, organisation=world.own, role="investigator")
    client = web(inv)
    client.post(f"/evidence/{item.uuid}/seal/", {"reason": "protect witness"})
    officer = web(world.users["field_officer"])
    assert officer.get(f"/evidence/{item.uuid}/download/").status_code == 403
    officer.post(f"/evidence/{item.uuid}/request/", {"reason": "hearing"})
    client = web(second)
    page = client.get("/evidence/").content.decode()
    assert "hearing" in page
    approval = item.approvals.get()
    client.post(f"/evidence/approvals/{approval.pk}/approve/")
    officer = web(world.users["field_officer"])
    assert officer.get(f"/evidence/{item.uuid}/download/").status_code == 200
    r = web(inv).post(f"/evidence/{item.uuid}/release/", {"reason": "x"}, follow=True)
    assert "second person" in r.content.decode()
    web(second).post(f"/evidence/{item.uuid}/release/", {"reason": "trial over"})
    item.refresh_from_db()
    assert not item.sealed
    assert CustodyEntry.objects.filter(item=item, event="released").exists()


def test_export_page(world: World, web: Any, django_capture_on_commit_callbacks: Any) -> None:
    add(world, b"one", case="C-E")
    client = web(world.users["investigator"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/evidence/export/", {"case": "C-E", "lang": "fr"})
    assert r.status_code == 302 and r["Location"].startswith("/evidence/exports/")
    link = r["Location"] + "download/"
    assert link in client.get(r["Location"]).content.decode()
    r = client.get(link)
    names = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))).namelist()
    assert "data/custody-report.pdf" in names and "manifest-sha512.txt" in names
    r = client.post("/evidence/export/", {"case": "NOPE", "lang": "fr"}, follow=True)
    assert "NOPE" in r.content.decode()
