"""The installation's Ed25519 signing key: custody tree heads, access-log checkpoints and the
contents of court bags are signed with it, so one public key (one fingerprint) is published.

``VIGIE_EVIDENCE_SIGNING_KEY`` names the PEM file (kept outside the data directory in
production: `check --deploy` refuses it inside); without it a key is generated in
``<data dir>/evidence/signing-key.pem`` (demonstration only). See docs/adr/0030-*.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from functools import cache
from pathlib import Path

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
