"""Field encryption (AES-256-GCM with key ids) and HMAC blind indexes.

A stored value looks like ``v1:<key id>:<base64(nonce || ciphertext || tag)>``. The key id
travels with each value so keys can be rotated without a flag day. The field's identity is
bound as associated data, so a ciphertext copied into another column fails to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from vigie.core.errors import VigieError

PREFIX = "v1"


class DecryptionError(VigieError):
    """A stored value could not be decrypted (unknown key id, tampered value, wrong column)."""

    default_code = "decryption_failed"
    status = 500


def keyring() -> tuple[str, Mapping[str, bytes]]:
    conf: dict[str, Any] = settings.VIGIE_FIELD_KEYS
    keys = {kid: bytes.fromhex(hexkey) for kid, hexkey in conf["keys"].items()}
    active = conf["active"]
    if active not in keys:
        raise DecryptionError(f"active field key {active!r} is not in the keyring")
    for kid, key in keys.items():
        if len(key) != 32:
            raise DecryptionError(f"field key {kid!r} must be 32 bytes (64 hex characters)")
    return active, keys


def encrypt(plaintext: str, context: str) -> str:
    active, keys = keyring()
    nonce = os.urandom(12)
    sealed = AESGCM(keys[active]).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
    return f"{PREFIX}:{active}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def encrypt_many(plaintexts: Iterable[str], context: str) -> list[str]:
    """:func:`encrypt` of each text, with one keyring read and one cipher object: a bulk
    import of half a million accounts spends seconds here, not minutes."""
    active, keys = keyring()
    aead = AESGCM(keys[active])
    head = f"{PREFIX}:{active}:"
    aad = context.encode()
    out = []
    for text in plaintexts:
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, text.encode("utf-8"), aad)
        out.append(head + base64.b64encode(nonce + sealed).decode("ascii"))
    return out


def key_id_of(stored: str) -> str:
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("not an encrypted value")
    return parts[1]


def decrypt(stored: str, context: str) -> str:
    kid = key_id_of(stored)
    _active, keys = keyring()
    if kid not in keys:
        raise DecryptionError(f"value was encrypted under key {kid!r}, which is not in the keyring")
    raw = base64.b64decode(stored.split(":", 2)[2])
    try:
        plain = AESGCM(keys[kid]).decrypt(raw[:12], raw[12:], context.encode())
    except InvalidTag:
        raise DecryptionError(f"value in {context} failed authentication") from None
    return plain.decode("utf-8")


def normalise_for_index(value: str) -> str:
    """Case, accents, spacing and Unicode form do not change an exact-match lookup."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(stripped.split())


def blind_index(value: str, context: str) -> str:
    key = bytes.fromhex(settings.VIGIE_BLIND_INDEX_KEY)
    message = f"{context}\x00{normalise_for_index(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
