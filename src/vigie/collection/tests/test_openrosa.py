"""The OpenRosa 1.0 form list and submission APIs as ODK Collect uses them.

Built from the specification (docs.getodk.org/openrosa-form-list, openrosa-form-submission,
openrosa-http): every response carries ``X-OpenRosa-Version: 1.0``; the submission endpoint
answers HEAD with 204 and ``X-OpenRosa-Accept-Content-Length``; a POST that creates answers
201 with an OpenRosaResponse document.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from vigie.collection import receipt, services
from vigie.collection.models import Attachment, FormVersion, Submission
from vigie.collection.tests.conftest import VERSION, basic, instance
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.django_db
OR_LIST = "{http://openrosa.org/xforms/xformsList}"
OR_RESPONSE = "{http://openrosa.org/http/response}"
URL = "/collect/own-org"


def post(client: Any, issued: Any, xml: bytes, *files: Any, **headers: str) -> Any:
    data: dict[str, Any] = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml)}
    for i, f in enumerate(files):
        data[f"file{i}"] = f
    return client.post(f"{URL}/submission", data, **{**basic(issued), **headers})


def message(response: Any) -> tuple[str, str]:
    root = etree.fromstring(response.content)
    assert root.tag == f"{OR_RESPONSE}OpenRosaResponse"
    msg = root.find(f"{OR_RESPONSE}message")
    assert msg is not None
    return msg.get("nature", ""), msg.text or ""


def test_form_list_document(client: Any, published: FormVersion, device: Any) -> None:
    response = client.get(f"{URL}/formList", **basic(device))
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{OR_LIST}xforms"
    (xform,) = root.findall(f"{OR_LIST}xform")
    assert xform.findtext(f"{OR_LIST}formID") == "htcds_xlsform"
    assert xform.findtext(f"{OR_LIST}version") == VERSION
    assert xform.findtext(f"{OR_LIST}hash") == f"md5:{published.md5}"
    download = xform.findtext(f"{OR_LIST}downloadUrl") or ""
    assert download.startswith("http://testserver/collect/own-org/")
    got = client.get(download.removeprefix("http://testserver"), **basic(device))
    assert got.status_code == 200 and got.content.decode() == published.xform
    manifest = client.get(
        (xform.findtext(f"{OR_LIST}manifestUrl") or "").removeprefix("http://testserver"),
        **basic(device),
    )
    assert manifest.status_code == 200
    assert b"xformsManifest" in manifest.content


def test_head_preflight(client: Any, device: Any) -> None:
    anonymous = client.head(f"{URL}/submission")
    assert anonymous.status_code == 401
    assert "Basic realm=" in anonymous["WWW-Authenticate"]
    assert anonymous["WWW-Authenticate"].startswith("Digest ")
    response = client.head(f"{URL}/submission", **basic(device))
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) == receipt.max_submission_bytes()


def test_submission_created_then_duplicate(client: Any, published: Any, device: Any) -> None:
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 synthetic", "image/jpeg")
    response = post(client, device, instance(), photo)
    assert response.status_code == 201, response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    assert message(response)[0] == "submit_success"
    sub = Submission.objects.get()
    assert sub.status == "waiting" and sub.device == device.device
    assert dict(map(tuple, __import__("json").loads(sub.answers)))["prs_Gender"] == "Feminine"
    att = Attachment.objects.get()
    assert len(att.sha256) == 64 and att.content_type == "image/jpeg"
    again = post(client, device, instance())
    assert again.status_code == 202
    assert Submission.objects.count() == 1


def test_edited_submission_is_a_new_version(client: Any, published: Any, device: Any) -> None:
    post(client, device, instance("uuid:a"))
    response = post(client, device, instance("uuid:b", deprecated="uuid:a", gender="Masculine"))
    assert response.status_code == 201
    old, new = (
        Submission.objects.get(instance_id="uuid:a"),
        Submission.objects.get(instance_id="uuid:b"),
    )
    assert new.replaces == old and old.status == "superseded" and new.status == "waiting"


def test_wrong_credentials_and_revoked_device(client: Any, published: Any, device: Any) -> None:
    assert post(client, device, instance(), **basic(device, "wrong")).status_code == 401
    assert client.get(f"{URL}/formList").status_code == 401
    services.revoke_device(Actor(user=None, reason="test"), device.device)
    response = post(client, device, instance())
    assert response.status_code == 401
    assert client.get(f"{URL}/formList", **basic(device)).status_code == 401
    assert not Submission.objects.exists()


def test_device_of_another_organisation_is_refused(
    client: Any, world: World, published: Any
) -> None:
    foreign = services.issue_device(Actor.system("test"), world.other, "Other team")
    assert client.get(f"{URL}/formList", **basic(foreign)).status_code == 401


def test_oversize_refused(client: Any, settings: Any, published: Any, device: Any) -> None:
    settings.VIGIE_COLLECTION_MAX_BYTES = 1000
    big = SimpleUploadedFile("audio.m4a", b"0" * 5000, "audio/mp4")
    response = post(client, device, instance(), big)
    assert response.status_code == 413
    assert message(response)[0] == "error"
    assert not Submission.objects.exists()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<data id="htcds_xlsform" version="%s"><prs_First_Name>&lol3;</prs_First_Name>
<meta><instanceID>uuid:x</instanceID></meta></data>""" % VERSION.encode()

EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<data id="htcds_xlsform" version="%s"><prs_First_Name>&e;</prs_First_Name>
<meta><instanceID>uuid:y</instanceID></meta></data>""" % VERSION.encode()


@pytest.mark.parametrize(
    "body",
    [b"<data id='htcds_xlsform'><unclosed></data>", BILLION_LAUGHS, EXTERNAL, b"not xml"],
    ids=["malformed", "billion-laughs", "external-entity", "garbage"],
)
def test_hostile_xml_refused_nothing_stored(
    client: Any, published: Any, device: Any, body: bytes
) -> None:
    response = post(client, device, body)
    assert response.status_code == 400
    nature, text = message(response)
    assert nature == "error" and text
    assert b"root:" not in response.content
    assert not Submission.objects.exists()


def test_unpublished_form_and_old_version_refused(client: Any, published: Any, device: Any) -> None:
    response = post(client, device, instance(form_id="never_published"))
    assert response.status_code == 404
    assert "not published" in message(response)[1]
    response = post(client, device, instance(version="old-version"))
    assert response.status_code == 409
    assert "old version" in message(response)[1]
    assert not Submission.objects.exists()


def test_attachment_of_a_refused_type(client: Any, published: Any, device: Any) -> None:
    script = SimpleUploadedFile("x.sh", b"#!/bin/sh", "application/x-sh")
    response = post(client, device, instance(), script)
    assert response.status_code == 400
    disguised = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\nrm -rf /", "image/jpeg")
    response = post(client, device, instance(), disguised)
    assert response.status_code == 400
    assert "does not match its declared type" in message(response)[1]
    assert not Submission.objects.exists()
