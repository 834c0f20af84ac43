"""The evidence API end to end: add, view, download, custody proofs, sealing, resumable
uploads, export — each view and download logged in the custody chain and the access log."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.core.audit import verify_chain
from vigie.core.models import AccessLogEntry, Job, Membership, User
from vigie.evidence import merkle
from vigie.evidence.bag import verify_bag
from vigie.evidence.models import CustodyEntry, Item
from vigie.evidence.tests.factories import add, jpeg_with_exif
from vigie.testing import World


def _post_file(api: Any, user: Any, data: bytes, name: str = "p.jpg", **extra: Any) -> Any:
    body = {
        "file": SimpleUploadedFile(name, data),
        "case_ref": "C-API",
        "external_case": "true",
        **extra,
    }
    return api(user).post("/api/evidence/items/", body, format="multipart")


def test_add_view_download_logged(world: World, api: Any) -> None:
    inv = world.users["investigator"]
    data = jpeg_with_exif()
    r = _post_file(api, inv, data, place="Raqqa", collected_at="2024-03-02T10:00:00Z")
    assert r.status_code == 201, r.content
    uuid = r.json()["uuid"]
    assert r.json()["blob"]["sha256"] == hashlib.sha256(data).hexdigest()
    r = api(inv).get(f"/api/evidence/items/{uuid}/")
    assert r.status_code == 200 and r.json()["place"] == "Raqqa"
    assert r.json()["metadata"]["data"]["exif"]["Model"] == "Vigie test camera"
    r = api(inv).get(f"/api/evidence/items/{uuid}/content/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == data
    events = list(CustodyEntry.objects.filter(item__uuid=uuid).values_list("event", flat=True))
    assert events == ["collected", "received", "viewed", "downloaded"]
    actions = list(
        AccessLogEntry.objects.filter(object_id=uuid)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["view", "download"]
    assert not verify_chain()[1]
    # The list shows it; another organisation's user does not even learn it exists.
    assert api(inv).get("/api/evidence/items/?case=C-API").json()["count"] == 1
    outsider = User.objects.create(username="outsider")
    Membership.objects.create(user=outsider, organisation=world.other, role="investigator")
    assert api(outsider).get(f"/api/evidence/items/{uuid}/").status_code == 404
    assert api(outsider).get(f"/api/evidence/items/{uuid}/content/").status_code == 404
    assert api(outsider).get("/api/evidence/items/").json()["count"] == 0


def test_custody_proofs_check_against_signed_head(world: World, api: Any) -> None:
    items = [add(world, f"x{i}".encode()).item for i in range(5)]
    r = api(world.users["investigator"]).get(f"/api/evidence/items/{items[2].uuid}/custody/")
    body = r.json()
    head = body["tree_head"]
    root = bytes.fromhex(head["root_hash"])
    assert [e["event"] for e in body["entries"]] == ["collected", "received"]
    for e in body["entries"]:
        leaf = merkle.leaf_hash(e["leaf"].encode())
        assert leaf.hex() == e["leaf_hash"]
        proof = [bytes.fromhex(h) for h in e["proof"]]
        assert merkle.verify_inclusion(leaf, e["seq"] - 1, head["tree_size"], proof, root)
    r = api(world.users["investigator"]).get("/api/evidence/log/consistency/?first=3&second=10")
    c = r.json()
    assert merkle.verify_consistency(
        3,
        10,
        [bytes.fromhex(h) for h in c["proof"]],
        bytes.fromhex(c["first_root"]),
        bytes.fromhex(c["second_root"]),
    )
    assert (
        api(world.users["investigator"])
        .get("/api/evidence/log/consistency/?first=3&second=99")
        .status_code
        == 400
    )
    log = api(world.users["investigator"]).get("/api/evidence/log/").json()
    assert log["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    r = api(world.users["investigator"]).post(f"/api/evidence/items/{items[0].uuid}/verify/")
    assert r.json() == {"ok": True, "problems": []}


def test_sealing_needs_a_second_person(world: World, api: Any) -> None:
    inv = world.users["investigator"]
    second = User.objects.create(username="second-investigator")
    Membership.objects.create(user=second, organisation=world.own, role="investigator")
    officer = world.users["field_officer"]
    item = add(world, b"sensitive testimony").item
    r = api(inv).post(f"/api/evidence/items/{item.uuid}/seal/", {"reason": "witness at risk"})
    assert r.status_code == 200 and r.json()["sealed"] is True
    assert api(officer).get(f"/api/evidence/items/{item.uuid}/content/").status_code == 403
    r = api(officer).post(
        f"/api/evidence/items/{item.uuid}/access-requests/", {"reason": "prepare hearing"}
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    # The requester cannot approve; a field officer has no evidence.seal at all.
    assert api(officer).post(f"/api/evidence/access-requests/{pk}/approve/").status_code == 403
    r = api(inv).post(f"/api/evidence/access-requests/{pk}/approve/")
    assert r.status_code == 200 and r.json()["approved_by"] == "u-investigator"
    r = api(officer).get(f"/api/evidence/items/{item.uuid}/content/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"sensitive testimony"
    # Release needs someone other than the sealer.
    r = api(inv).post(f"/api/evidence/items/{item.uuid}/release/", {"reason": "done"})
    assert r.status_code == 400 and "second person" in r.json()["title"]
    r = api(second).post(f"/api/evidence/items/{item.uuid}/release/", {"reason": "done"})
    assert r.status_code == 200 and r.json()["sealed"] is False
    events = list(item.custody.values_list("event", flat=True))
    assert events == ["collected", "received", "sealed", "accessed", "downloaded", "released"]
    own = inv
    r = api(own).post(f"/api/evidence/items/{item.uuid}/access-requests/", {"reason": "x"})
    assert r.status_code == 400 and "not sealed" in r.json()["title"]


def test_resumable_upload(world: World, api: Any) -> None:
    inv = api(world.users["investigator"])
    data = os.urandom(3 * 1024 * 1024 + 17)
    r = inv.post(
        "/api/evidence/uploads/",
        {
            "filename": "video.mp4",
            "size": len(data),
            "case_ref": "C-UP",
            "external_case": True,
            "place": "Tal Afar",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    url = f"/api/evidence/uploads/{r.json()['uuid']}/"

    def put(offset: int, piece: bytes) -> Any:
        return inv.generic(
            "PUT",
            url,
            piece,
            content_type="application/octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
        )

    mib = 1024 * 1024
    assert put(0, data[:mib]).json()["received"] == mib
    # A retried chunk (the answer was lost) and a chunk from too far ahead are refused with
    # the offset to resume from.
    r = put(0, data[:mib])
    assert r.status_code == 409 and r.json()["detail"]["received"] == mib
    r = put(2 * mib, data[2 * mib : 3 * mib])
    assert r.status_code == 409 and r.json()["detail"]["received"] == mib
    r = inv.post(url + "complete/")
    assert r.status_code == 409 and "send the rest" in r.json()["title"]
    # "Browser closed": ask where we are, then send the rest.
    offset = inv.get(url).json()["received"]
    while offset < len(data):
        offset = put(offset, data[offset : offset + mib]).json()["received"]
    r = inv.post(url + "complete/")
    assert r.status_code == 201, r.content
    item = Item.objects.get(uuid=r.json()["uuid"])
    assert item.blob.sha256 == hashlib.sha256(data).hexdigest() and item.place == "Tal Afar"
    # Someone else's upload is invisible.
    assert api(world.users["case_manager"]).get(url).status_code == 404


def test_upload_rejects_bad_input(world: World, api: Any) -> None:
    inv = api(world.users["investigator"])
    r = inv.post(
        "/api/evidence/uploads/",
        {
            "filename": "a",
            "size": 3,
            "case_ref": "C",
            "external_case": True,
            "collected_at": "last week",
        },
        format="json",
    )
    assert r.status_code == 400 and "collected_at 'last week'" in r.json()["title"]
    r = _post_file(api, world.users["investigator"], b"x", case_ref="")
    assert r.status_code == 400 and "case_ref" in {e["field"] for e in r.json()["errors"]}


def _api_export(client: Any, case: str, capture: Any, lang: str = "fr") -> Any:
    with capture(execute=True):
        return client.post(f"/api/evidence/cases/{case}/export/?lang={lang}")


def test_export_is_a_background_job_then_a_verified_zip(
    world: World, api: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    for i in range(3):
        add(world, f"doc {i}".encode(), name=f"d{i}.txt", case="C-EXP")
    prosecutor = world.users["investigator"]
    client = api(prosecutor)
    r = _api_export(client, "C-EXP", django_capture_on_commit_callbacks)
    assert r.status_code == 202, r.content
    body = r.json()
    job = Job.objects.get(pk=body["id"], kind="evidence.export")
    assert body["status_url"] == f"/api/jobs/{job.pk}/"
    assert body["download_url"] == f"/api/evidence/exports/{job.pk}/download/"
    state = client.get(body["status_url"]).json()
    assert state["status"] == "succeeded" and state["result"]["items"] == 3, state
    assert AccessLogEntry.objects.filter(action="export", object_id="C-EXP").exists()
    assert not CustodyEntry.objects.filter(event="downloaded").exists()
    r = client.get(body["download_url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    raw = b"".join(r.streaming_content)
    zipfile.ZipFile(io.BytesIO(raw)).extractall(tmp_path / "bag")
    rep = verify_bag(tmp_path / "bag")
    assert rep.problems == [] and rep.items == 3
    downloaded = CustodyEntry.objects.filter(event="downloaded", detail__export_job=str(job.pk))
    assert downloaded.count() == 3 and {e.actor_name for e in downloaded} == {prosecutor.username}
    assert AccessLogEntry.objects.filter(action="download", object_id="C-EXP").exists()


def test_export_refusals(world: World, api: Any, django_capture_on_commit_callbacks: Any) -> None:
    add(world, b"x", name="x.txt", case="C-EXP2")
    investigator = api(world.users["investigator"])
    assert (
        api(world.users["field_officer"]).post("/api/evidence/cases/C-EXP2/export/").status_code
        == 403
    )
    assert investigator.post("/api/evidence/cases/NO-SUCH/export/").status_code == 404
    r = investigator.post("/api/evidence/cases/C-EXP2/export/?lang=de")
    assert r.status_code == 400 and "de" in r.json()["title"]
    assert not Job.objects.filter(kind="evidence.export").exists()
    # not finished yet: 409 with the status; nothing recorded
    with django_capture_on_commit_callbacks(execute=False):
        r = investigator.post("/api/evidence/cases/C-EXP2/export/")
    assert r.status_code == 202
    pending = r.json()
    r = investigator.get(pending["download_url"])
    assert r.status_code == 409 and r.json()["status"] == "queued"
    # finished: only the person who asked may download it
    done = _api_export(investigator, "C-EXP2", django_capture_on_commit_callbacks).json()
    for role in ("org_admin", "analyst", "data_entry", "auditor"):
        if role in world.users:
            other = api(world.users[role])
            assert other.get(done["download_url"]).status_code in (403, 404)
    assert not CustodyEntry.objects.filter(event="downloaded").exists()


def test_export_download_refused_once_the_permission_is_gone(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    add(world, b"y", name="y.txt", case="C-EXP3")
    user = world.users["investigator"]
    done = _api_export(api(user), "C-EXP3", django_capture_on_commit_callbacks).json()
    user.memberships.all().delete()
    assert api(User.objects.get(pk=user.pk)).get(done["download_url"]).status_code in (403, 404)
    assert not CustodyEntry.objects.filter(event="downloaded").exists()


def test_openapi_schema_lists_evidence(api: Any, world: World) -> None:
    r = api(world.users["investigator"]).get("/api/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert (
        "/api/evidence/uploads/{uuid}/" in paths and "put" in paths["/api/evidence/uploads/{uuid}/"]
    )


def test_transfer_to_another_organisation(world: World, api: Any) -> None:
    item = add(world, b"handed over").item
    inv = api(world.users["investigator"])
    r = inv.post(
        f"/api/evidence/items/{item.uuid}/transfer/",
        {"organisation": "other-org", "reason": "joint investigation team"},
    )
    assert r.status_code == 200 and r.json()["organisation"] == "other-org"
    entry = item.custody.get(event="transferred")
    assert entry.detail["from"] == "own-org" and entry.detail["to"] == "other-org"
    assert inv.get(f"/api/evidence/items/{item.uuid}/").status_code == 404  # no longer ours
    r = inv.post(
        f"/api/evidence/items/{add(world, b'y').item.uuid}/transfer/",
        {"organisation": "nowhere", "reason": "x"},
    )
    assert r.status_code == 400 and "organisation" in {e["field"] for e in r.json()["errors"]}


def test_partial_upload_is_encrypted_and_checked(world: World, api: Any) -> None:
    from vigie.evidence import uploads
    from vigie.evidence.models import UploadSession

    inv = api(world.users["investigator"])
    data = b"victim statement, synthetic " * 50_000
    r = inv.post(
        "/api/evidence/uploads/",
        {"filename": "s.txt", "size": len(data), "case_ref": "C-ENC", "external_case": True},
        format="json",
    )
    url = f"/api/evidence/uploads/{r.json()['uuid']}/"
    half = len(data) // 2
    for offset, piece in ((0, data[:half]), (half, data[half:])):
        r = inv.generic(
            "PUT",
            url,
            piece,
            content_type="application/octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
        )
        assert r.status_code == 200, r.content
    session = UploadSession.objects.get()
    partial = uploads.partial_path(session)
    raw = partial.read_bytes()
    assert b"victim statement" not in raw and len(raw) == session.stored
    damaged = bytearray(raw)
    damaged[100] ^= 1
    partial.write_bytes(bytes(damaged))
    r = inv.post(url + "complete/")
    assert r.status_code == 409 and "damaged at byte 0" in r.json()["title"]
    assert Item.objects.count() == 0 and CustodyEntry.objects.count() == 0
    partial.write_bytes(raw)
    r = inv.post(url + "complete/")
    assert r.status_code == 201
    assert Item.objects.get().blob.sha256 == hashlib.sha256(data).hexdigest()
    assert not partial.exists()


def test_the_organisation_added_to_follows_the_one_rule(world: World, api: Any) -> None:
    """Issue 14: evidence chooses the organisation a new item goes to with
    core.actor.acting_organisation, as cases do: a user in two organisations names one
    (400 organisation_required, not silently the first); an unknown code is 400."""
    inv = world.users["investigator"]
    Membership.objects.create(user=inv, organisation=world.other, role="investigator")
    inv = User.objects.get(pk=inv.pk)
    data = jpeg_with_exif()
    r = _post_file(api, inv, data)
    assert r.status_code == 400 and r.json()["code"] == "organisation_required", r.content
    r = _post_file(api, inv, data, organisation="nowhere")
    assert r.status_code == 400 and r.json()["code"] == "unknown_organisation"
    r = _post_file(api, inv, data, organisation="other-org")
    assert r.status_code == 201 and Item.objects.get().organisation == world.other
    upload = api(inv).post(
        "/api/evidence/uploads/", {"filename": "a.jpg", "size": 10, "case_ref": "C"}, format="json"
    )
    assert upload.status_code == 400 and upload.json()["code"] == "organisation_required"
