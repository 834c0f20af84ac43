"""ODK managed encryption: a submission encrypted in the test exactly as ODK Collect does
(xforms-spec/encryption), sent through the OpenRosa endpoint, decrypted and imported."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from vigie.collection import encryption, services
from vigie.collection.models import Attachment, FormVersion, Submission
from vigie.collection.tests.conftest import HTCDS, VERSION, basic, instance
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.django_db
URL = "/collect/own-org/submission"


@pytest.fixture
def encrypted_form(world: World) -> FormVersion:
    return services.publish_form(
        Actor(user=world.users["case_manager"]),
        HTCDS.read_bytes(),
        HTCDS.name,
        [world.own],
        encrypt=True,
    )


def public_key_of(version: FormVersion) -> rsa.RSAPublicKey:
    root = etree.fromstring(version.xform.encode())
    (sub,) = root.iter("{http://www.w3.org/2002/xforms}submission")
    key = serialization.load_der_public_key(base64.b64decode(sub.get("base64RsaPublicKey")))
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def envelope(
    public: rsa.RSAPublicKey, plain_xml: bytes, media: list[tuple[str, bytes]], instance_id: str
) -> tuple[bytes, dict[str, bytes]]:
    """What ODK Collect sends for an encrypted form: the envelope and the ``.enc`` files."""
    key = os.urandom(32)
    enc_key = base64.b64encode(public.encrypt(key, encryption.OAEP)).decode()
    iv = encryption.ivs(instance_id, key)
    files = {
        f"{name}.enc": encryption._aes(key, next(iv), data, encrypt=True) for name, data in media
    }
    files["submission.xml.enc"] = encryption._aes(key, next(iv), plain_xml, encrypt=True)
    signed = encryption.signature_text(
        "htcds_xlsform", VERSION, enc_key, instance_id, [*media, ("submission.xml", plain_xml)]
    )
    signature = public.encrypt(hashlib.md5(signed, usedforsecurity=False).digest(), encryption.OAEP)
    media_xml = "".join(f"<file>{name}.enc</file>" for name, _ in media)
    doc = (
        f'<data xmlns="{encryption.ENCRYPTED_NS}" id="htcds_xlsform" version="{VERSION}" '
        'encrypted="yes">'
        f"<base64EncryptedKey>{enc_key}</base64EncryptedKey>"
        f'<meta xmlns="http://openrosa.org/xforms"><instanceID>{instance_id}</instanceID></meta>'
        f"<media>{media_xml}</media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>"
        f"{base64.b64encode(signature).decode()}</base64EncryptedElementSignature></data>"
    )
    return doc.encode(), files


def send(client: Any, device: Any, doc: bytes, files: dict[str, bytes]) -> Any:
    data: dict[str, Any] = {"xml_submission_file": SimpleUploadedFile("submission.xml", doc)}
    for i, (name, content) in enumerate(files.items()):
        data[f"f{i}"] = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(URL, data, **basic(device))


def test_encrypted_submission_is_decrypted_and_imported(
    client: Any, world: World, encrypted_form: FormVersion, device: Any
) -> None:
    assert "base64RsaPublicKey" in encrypted_form.xform and encrypted_form.private_key
    iid = "uuid:22222222-2222-4222-8222-222222222222"
    photo = b"\xff\xd8\xff\xe0 synthetic photo bytes"
    doc, files = envelope(public_key_of(encrypted_form), instance(iid), [("photo.jpg", photo)], iid)
    assert b"Synthetic" not in doc and all(b"Synthetic" not in f for f in files.values())
    response = send(client, device, doc, files)
    assert response.status_code == 201, response.content
    sub = Submission.objects.get()
    assert sub.instance_id == iid and "prs_Gender" in sub.answers
    att = Attachment.objects.get()
    assert att.name == "photo.jpg" and att.content_type == "image/jpeg"
    case = services.accept(Actor(user=world.users["field_officer"]), sub)
    assert case.victims.get().sex == "female"


def test_tampered_or_plain_submission_refused(
    client: Any, encrypted_form: FormVersion, device: Any
) -> None:
    iid = "uuid:33333333-3333-4333-8333-333333333333"
    doc, files = envelope(public_key_of(encrypted_form), instance(iid), [], iid)
    files["submission.xml.enc"] = files["submission.xml.enc"][:-1] + bytes(
        [files["submission.xml.enc"][-1] ^ 1]
    )
    assert send(client, device, doc, files).status_code == 400
    plain = send(client, device, instance(iid), {})
    assert plain.status_code == 400 and b"encrypted" in plain.content
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    doc, files = envelope(other, instance(iid), [], iid)
    assert send(client, device, doc, files).status_code == 400
    assert not Submission.objects.exists()
