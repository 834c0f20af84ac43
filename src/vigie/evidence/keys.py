"""The vault's own keys, kept apart from SECRET_KEY and from the field-encryption keyring.

- File keys (AES-256): ``{"active": id, "keys": {id: hex}}`` from ``VIGIE_EVIDENCE_KEYS`` (JSON)
  or ``<data dir>/evidence/keys.json`` (created 0600 on first use). Each stored object gets
  its own key derived from the master file key with HKDF-SHA256 and a random salt kept in
  the object's header, so AES-GCM nonces never repeat under one key.
- Log signing key (Ed25519): ``VIGIE_EVIDENCE_SIGNING_KEY`` (path to a PEM file) or
  ``<data dir>/evidence/signing-key.pem`` (created 0600 on first use). The public key is
  what a court needs to check a bag; its SHA-256 is the log id.

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

from vigie.core.errors import Unavailable


class KeyProblem(Unavailable):
    """A vault key is missing or malformed; the message says which and where."""

    default_code = "vault_key_problem"


def vault_dir() -> Path:
    path = Path(settings.DATA_DIR) / "evidence"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def file_keyring() -> tuple[str, Mapping[str, bytes]]:
    raw = os.environ.get("VIGIE_EVIDENCE_KEYS")
    if raw:
        return _parse_keyring(raw, "VIGIE_EVIDENCE_KEYS")
    path = vault_dir() / "keys.json"
    if not path.exists():
        conf = {"active": "e1", "keys": {"e1": secrets.token_hex(32)}}
        _write_private(path, json.dumps(conf, indent=2).encode())
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


def _signing_key_path() -> Path:
    env = os.environ.get("VIGIE_EVIDENCE_SIGNING_KEY")
    return Path(env) if env else vault_dir() / "signing-key.pem"


@cache
def _load_signing_key(path: str, mtime_ns: int, inode: int) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path}: the log signing key must be an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    path = _signing_key_path()
    if not path.exists():
        if os.environ.get("VIGIE_EVIDENCE_SIGNING_KEY"):
            raise KeyProblem(f"{path}: log signing key file not found")
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(path, pem)
    stat = path.stat()
    return _load_signing_key(str(path), stat.st_mtime_ns, stat.st_ino)


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
