"""ODK managed encryption (https://getodk.github.io/xforms-spec/encryption), server side.

A form published with encryption carries Vigie's RSA public key in its XForm
(``<submission base64RsaPublicKey=...>``). The device then encrypts every finished instance:

- a random 256-bit AES key, sent RSA-encrypted (OAEP, SHA-256 for both the digest and MGF1,
  what Android's Bouncy Castle does for ``OAEPWithSHA256AndMGF1Padding``);
- each media file, then ``submission.xml``, as ``<name>.enc``: AES-256-CFB with PKCS#7
  padding; the IVs come from ``md5(instanceID || key)``, whose byte ``i % 16`` is
  incremented before the i-th file;
- a signature: the RSA-encrypted md5 of the lines form id, version, encrypted key,
  instanceID, ``name::md5(plain file)`` for each media file and ``submission.xml::md5``.

The envelope that comes over the network holds nothing readable. The private key lives in
an ``EncryptedTextField`` (so it follows the field-key rotation) and is used only here.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.decrepit.ciphers.modes import CFB  # what the ODK spec uses
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from django.utils.translation import gettext as _
from lxml import etree

from vigie.core.errors import Invalid

ENCRYPTED_NS = "http://www.opendatakit.org/xforms/encrypted"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def new_keypair() -> tuple[str, str]:
    """(private key PEM, public key as base64 DER SubjectPublicKeyInfo for the XForm)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode("ascii")


def add_public_key(xform: str, public_key: str) -> str:
    """The XForm with ``<submission base64RsaPublicKey=...>`` in its model."""
    root = etree.fromstring(xform.encode("utf-8"))
    model = root.find("{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/2002/xforms}model")
    if model is None:
        raise Invalid(_("The XForm has no model."), code="xform_invalid")
    sub = model.find("{http://www.w3.org/2002/xforms}submission")
    if sub is None:
        sub = etree.SubElement(model, "{http://www.w3.org/2002/xforms}submission")
    sub.set("method", "post")
    sub.set("base64RsaPublicKey", public_key)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8").decode("utf-8")


def is_encrypted(root: Any) -> bool:
    return root.get("encrypted", "").lower() == "yes"


def ivs(instance_id: str, key: bytes) -> Any:
    """The IV of file 0, 1, 2... (a generator)."""
    runner = bytearray(
        hashlib.md5(instance_id.encode("utf-8") + key, usedforsecurity=False).digest()
    )
    i = 0
    while True:
        runner[i % 16] = (runner[i % 16] + 1) % 256
        yield bytes(runner)
        i += 1


def _aes(key: bytes, iv: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.AES(key), CFB(iv))
    if encrypt:
        pad = 16 - len(data) % 16
        data = data + bytes([pad]) * pad
        enc = cipher.encryptor()
        return enc.update(data) + enc.finalize()
    dec = cipher.decryptor()
    plain = dec.update(data) + dec.finalize()
    pad = plain[-1] if plain else 0
    if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad padding")
    return plain[:-pad]


def signature_text(
    form_id: str, version: str, enc_key: str, instance_id: str, files: list[tuple[str, bytes]]
) -> bytes:
    lines = [form_id]
    if version:
        lines.append(version)
    lines += [enc_key, instance_id]
    lines += [
        f"{name}::{hashlib.md5(data, usedforsecurity=False).hexdigest()}" for name, data in files
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Decrypted:
    xml: bytes
    media: list[tuple[str, bytes]]


def _refused() -> Invalid:
    return Invalid(
        _("The encrypted submission could not be decrypted or its signature does not match."),
        code="submission_undecryptable",
    )


def decrypt(root: Any, private_pem: str, files: dict[str, bytes]) -> Decrypted:
    """Decrypt an envelope (parsed root) with its ``.enc`` parts; check the signature."""

    def text(tag: str) -> str:
        return (root.findtext(f"{{{ENCRYPTED_NS}}}{tag}") or root.findtext(tag) or "").strip()

    meta = root.find("{*}meta")
    instance_id = (meta.findtext("{*}instanceID") or "").strip() if meta is not None else ""
    enc_key = text("base64EncryptedKey")
    xml_name = text("encryptedXmlFile")
    media_el = root.find(f"{{{ENCRYPTED_NS}}}media")
    if media_el is None:
        media_el = root.find("media")
    media_names = [] if media_el is None else [(f.text or "").strip() for f in media_el]
    try:
        private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        key = private.decrypt(base64.b64decode(enc_key), OAEP)
        if len(key) != 32:
            raise ValueError("key length")
        iv = ivs(instance_id, key)
        media = [
            (name.removesuffix(".enc"), _aes(key, next(iv), files[name], encrypt=False))
            for name in media_names
        ]
        xml = _aes(key, next(iv), files[xml_name], encrypt=False)
        signed = signature_text(
            root.get("id", ""),
            root.get("version", ""),
            enc_key,
            instance_id,
            [*media, (xml_name.removesuffix(".enc"), xml)],
        )
        digest = private.decrypt(base64.b64decode(text("base64EncryptedElementSignature")), OAEP)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise _refused() from None
    if digest != hashlib.md5(signed, usedforsecurity=False).digest():
        raise _refused()
    return Decrypted(xml, media)
