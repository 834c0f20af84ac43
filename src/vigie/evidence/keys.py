"""The vault's own keys, kept apart from SECRET_KEY and from the field-encryption keyring.

- File keys (AES-256): ``{"active": id, "keys": {id: hex}}`` from ``VIGIE_EVIDENCE_KEYS`` (JSON)
  or ``<data dir>/evidence/keys.json`` (created 0600 on first use). Each stored object gets
  its own key derived from the master file key with HKDF-SHA256 and a random salt kept in
  the object's header, so AES-GCM nonces never repeat under one key.
- Log signing key (Ed25519): see :mod:`vigie.core.signing` (``VIGIE_EVIDENCE_SIGNING_KEY``,
  a PEM file outside the data directory in production). The public key is what a court
  needs to check a bag; its SHA-256 is the log id.

See docs/adr/0601-evidence-keys-and-object-format.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from vigie.core import signing
from vigie.core.errors import Unavailable


class KeyProblem(Unavailable):
    """A vault key is missing or malformed; the message says which and where."""

    default_code = "vault_key_problem"


def vault_dir() -> Path:
    path = Path(settings.DATA_DIR) / "evidence"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def file_keyring() -> tuple[str, Mapping[str, bytes]]:
    raw = os.environ.get("VIGIE_EVIDENCE_KEYS")
    if raw:
        return _parse_keyring(raw, "VIGIE_EVIDENCE_KEYS")
    path = vault_dir() / "keys.json"
    if not path.exists():
        conf = {"active": "e1", "keys": {"e1": secrets.token_hex(32)}}
        signing.create_private_once(path, json.dumps(conf, indent=2).encode())
    stat = path.stat()
    return _read_keyring(str(path), stat.st_mtime_ns, stat.st_ino)


@cache
def _read_keyring(path: str, mtime_ns: int, inode: int) -> tuple[str, Mapping[str, bytes]]:
    return _parse_keyring(Path(path).read_text(encoding="utf-8"), path)


@cache
def _parse_keyring(raw: str, where: str) -> tuple[str, Mapping[str, bytes]]:
    conf = json.loads(raw)
    keys = {kid: bytes.fromhex(h) for kid, h in conf["keys"].items()}
    if conf["active"] not in keys:
        raise KeyProblem(f"{where}: active evidence key {conf['active']!r} is not in the keyring")
    for kid, key in keys.items():
        if len(key) != 32:
            raise KeyProblem(f"{where}: evidence key {kid!r} must be 32 bytes (64 hex digits)")
    return str(conf["active"]), keys


def signing_key() -> Ed25519PrivateKey:
    """The installation's signing key (:mod:`vigie.core.signing`)."""
    return signing.signing_key()


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def log_id(key: Ed25519PublicKey | None = None) -> str:
    """SHA-256 of the raw public key: the log's identity and the key's fingerprint."""
    key = key or public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()
