"""The installation's Ed25519 signing key: custody tree heads, access-log checkpoints and the
contents of court bags are signed with it, so one public key (one fingerprint) is published.

``VIGIE_EVIDENCE_SIGNING_KEY`` names the PEM file (kept outside the data directory in
production: `check --deploy` refuses it inside); without it a key is generated in
``<data dir>/evidence/signing-key.pem`` (demonstration only). See docs/adr/0030-*.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

from vigie.core.errors import Unavailable


class SigningKeyProblem(Unavailable):
    """The signing key is missing or malformed; the message says where."""

    default_code = "signing_key_problem"


def key_path() -> Path:
    named = str(getattr(settings, "VIGIE_EVIDENCE_SIGNING_KEY", "") or "")
    return Path(named) if named else Path(settings.DATA_DIR) / "evidence" / "signing-key.pem"


def create_private_once(path: Path, data: bytes) -> None:
    """Create a generated secret unless it exists, atomically: of two processes generating
    one at the same time (a server and its worker on a first run), one wins and both then
    read the winner's, so nothing is ever signed or chained under a key that was lost."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@cache
def _load(path: str, mtime_ns: int, inode: int) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyProblem(
            _("%(path)s: the signing key must be an Ed25519 private key.") % {"path": path}
        )
    return key


def signing_key() -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        if getattr(settings, "VIGIE_EVIDENCE_SIGNING_KEY", ""):
            raise SigningKeyProblem(_("%(path)s: signing key file not found.") % {"path": path})
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        create_private_once(path, pem)
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_ino)


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: the key id named in everything it signs."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


# Rotation (docs/adr/0044) -------------------------------------------------------------------

ROTATION_LABEL = b"vigie-signing-key-rotation-v1\n"


@dataclass(frozen=True)
class RetiredKey:
    """A signing key that was replaced: kept (public half only) to verify what it signed
    before ``retired_at`` (ms) over logs no longer than ``sizes`` at that moment. The old key
    endorses the record (``endorsement``) and the new one signs it (``signature``), so only
    the holder of the old key could have named the successor."""

    key_id: str
    public_key: str  # PEM
    successor: str
    retired_at: int
    sizes: dict[str, int]
    endorsement: str = ""
    signature: str = ""

    def message(self) -> bytes:
        body = {
            "key_id": self.key_id,
            "retired_at": self.retired_at,
            "sizes": self.sizes,
            "successor": self.successor,
        }
        return ROTATION_LABEL + json.dumps(body, sort_keys=True).encode()

    def public(self) -> Ed25519PublicKey:
        key = serialization.load_pem_public_key(self.public_key.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey) or fingerprint(key) != self.key_id:
            raise SigningKeyProblem(f"retired key {self.key_id}: public key does not match")
        return key

    def covers(self, size: int, log: str, timestamp_ms: int) -> bool:
        """Whether an item of ``log`` of ``size`` signed at ``timestamp_ms`` with this key was
        signed before its retirement (backdating cannot reach past the size at retirement)."""
        return timestamp_ms <= self.retired_at and size <= self.sizes.get(log, 0)


def retired_path() -> Path:
    path = key_path()
    return path.with_name(path.name + ".retired")


def retired_keys() -> dict[str, RetiredKey]:
    """The retired keys whose records chain back from the active key, by key id: each
    record is endorsed by the key it retires and signed by its successor, which is the
    active key or a key retired after it. A record outside that chain (one anybody could
    write for a key of their own) is not trusted: its items fail as signed by another key."""
    path = retired_path()
    if not path.exists():
        return {}
    return retired_chain(path.read_text(encoding="ascii"), signing_key().public_key())


def retired_chain(text: str, successor: Ed25519PublicKey) -> dict[str, RetiredKey]:
    """The records of a retired-keys file (``text``, one JSON record a line) that chain back
    from the public key ``successor`` (see ``retired_keys``): what an auditor holding only
    the public key and the retired-keys file can check."""
    by_successor: dict[str, list[RetiredKey]] = {}
    for line in text.splitlines():
        try:
            record = RetiredKey(**json.loads(line))
        except (ValueError, TypeError):
            continue
        by_successor.setdefault(record.successor, []).append(record)
    out: dict[str, RetiredKey] = {}
    while True:
        found = None
        for record in by_successor.get(fingerprint(successor), []):
            try:
                old = record.public()
                old.verify(bytes.fromhex(record.endorsement), record.message())
                successor.verify(bytes.fromhex(record.signature), record.message())
            except (ValueError, TypeError, InvalidSignature, SigningKeyProblem):
                continue
            if record.key_id not in out:
                found = record
                break
        if found is None:
            return out
        out[found.key_id] = found
        successor = found.public()


def check_key(key_id: str, log: str, size: int, timestamp_ms: int) -> str | None:
    """Why an item of ``log`` (``size`` entries, signed at ``timestamp_ms``) signed by
    ``key_id`` is not acceptable, or None: the active key, or a retired key before its
    retirement."""
    current = fingerprint(signing_key().public_key())
    if key_id == current:
        return None
    retired = retired_keys().get(key_id)
    if retired is None:
        return (
            f"signed by the key {key_id}, but the installation's signing key is now {current} "
            "and that key is not one it retired: the signing key was swapped"
        )
    if not retired.covers(size, log, timestamp_ms):
        return (
            f"signed by the key {key_id} after its retirement (retired at "
            f"{retired.retired_at} ms with {log} at {retired.sizes.get(log, 0)} entries): "
            "someone holding a retired key signed it"
        )
    return None


def rotate() -> RetiredKey:
    """Replace the signing key: the old key endorses a record naming the new key, with the
    time and each witnessed log's size; the record is appended to the retired-keys file
    beside the key file, then the key file is replaced (0600)."""
    import time

    from vigie.core.witness import SOURCES

    path = key_path()
    old = signing_key()
    new = Ed25519PrivateKey.generate()
    sizes = {}
    for name, source in SOURCES.items():
        cp = source.build(None)
        sizes[name] = cp.size if cp is not None else 0
    record = RetiredKey(
        key_id=fingerprint(old.public_key()),
        public_key=public_pem(old.public_key()),
        successor=fingerprint(new.public_key()),
        retired_at=int(time.time() * 1000),
        sizes=sizes,
    )
    record = replace(
        record,
        endorsement=old.sign(record.message()).hex(),
        signature=new.sign(record.message()).hex(),
    )
    with retired_path().open("a", encoding="ascii") as handle:
        handle.write(json.dumps(asdict(record), sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    pem = new.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return record
