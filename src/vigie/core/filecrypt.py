"""Files kept for a while in the data directory (import uploads, export archives) are
encrypted at rest: AES-256-GCM in chunks, with a key derived from the active field key.

Format (docs/adr/0022)::

    b"VGF1" | len(key id) (1 byte) | key id | salt (16) | nonce prefix (8)
    then chunks: AES-GCM(plain chunk of up to CHUNK bytes), 16-byte tag each

The file key is HKDF-SHA256(field key, salt, "vigie file at rest v1"); chunk ``i`` uses the
nonce ``prefix || i (4 bytes)`` and the associated data ``header || i || last`` (1 when it is
the last chunk), so chunks cannot be reordered, dropped or the file cut short unnoticed.
The key id in the header lets files written before a key rotation be read while the old
key is in the keyring. Files are written and read as streams: memory stays at one chunk.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vigie.core import crypto

MAGIC = b"VGF1"
CHUNK = 64 * 1024
TAG = 16
INFO = b"vigie file at rest v1"


class FileDecryptionError(crypto.DecryptionError):
    """An encrypted file is damaged, cut short, or its key is not in the keyring."""


def _key(key_id: str, salt: bytes) -> bytes:
    _active, keys = crypto.keyring()
    if key_id not in keys:
        raise FileDecryptionError(f"file was encrypted under key {key_id!r}, not in the keyring")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(keys[key_id])


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def encrypt_stream(chunks: Iterable[bytes], out: IO[bytes]) -> int:
    """Write ``chunks`` (any sizes) encrypted to ``out``; returns the plaintext size."""
    active, _keys = crypto.keyring()
    salt, prefix = os.urandom(16), os.urandom(8)
    kid = active.encode()
    header = MAGIC + bytes([len(kid)]) + kid + salt + prefix
    aead = AESGCM(_key(active, salt))
    out.write(header)
    index, size, pending = 0, 0, b""

    def seal(block: bytes, last: bool) -> None:
        nonce = prefix + index.to_bytes(4, "big")
        out.write(aead.encrypt(nonce, block, _aad(header, index, last)))

    for data in chunks:
        pending += data
        size += len(data)
        while len(pending) > CHUNK:  # keep at least one byte back: the last chunk is marked
            seal(pending[:CHUNK], False)
            pending = pending[CHUNK:]
            index += 1
    seal(pending, True)
    return size


def decrypt_stream(fh: IO[bytes]) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk (raises FileDecryptionError)."""
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        raise FileDecryptionError("not an encrypted Vigie file")
    klen = fh.read(1)
    if not klen:
        raise FileDecryptionError("encrypted file cut short")
    kid = fh.read(klen[0])
    salt, prefix = fh.read(16), fh.read(8)
    if len(kid) != klen[0] or len(salt) != 16 or len(prefix) != 8:
        raise FileDecryptionError("encrypted file cut short")
    header = magic + klen + kid + salt + prefix
    aead = AESGCM(_key(kid.decode(), salt))
    index = 0
    block = fh.read(CHUNK + TAG)
    while True:
        following = fh.read(CHUNK + TAG)
        last = not following
        nonce = prefix + index.to_bytes(4, "big")
        try:
            yield aead.decrypt(nonce, block, _aad(header, index, last))
        except InvalidTag:
            raise FileDecryptionError("encrypted file damaged or cut short") from None
        if last:
            return
        block, index = following, index + 1


def encrypt_file(source: Path, target: Path) -> int:
    """Encrypt ``source`` into ``target`` (written beside it, then renamed into place)."""
    partial = target.with_name(target.name + ".part")
    with source.open("rb") as src, partial.open("wb") as out:
        size = encrypt_stream(iter(lambda: src.read(CHUNK), b""), out)
    os.replace(partial, target)
    return size


def iter_plain(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        yield from decrypt_stream(fh)


SHM = Path("/dev/shm")  # noqa: S108 (memory-backed, private directory made inside)


def plain_dir(size: int = 0) -> Path:
    """Where a plaintext copy of ``size`` bytes lives while a step reads it: memory
    (``/dev/shm``) when the system has it with room to spare, so that the plaintext is not
    written to disk; the system's temporary directory otherwise (``VIGIE_PLAIN_TMP``
    overrides both)."""
    if os.environ.get("VIGIE_PLAIN_TMP"):
        return Path(os.environ["VIGIE_PLAIN_TMP"])
    try:
        if os.access(SHM, os.W_OK) and shutil.disk_usage(SHM).free > 2 * size + 64 * 1024**2:
            return SHM
    except OSError:
        pass
    return Path(tempfile.gettempdir())


@contextmanager
def readable(path: Path) -> Iterator[Path]:
    """A path to read ``path`` from: itself when it is not encrypted, or a private plaintext
    copy (same file name) removed when the block ends."""
    if not is_encrypted(path):
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="vigie-plain-", dir=plain_dir(path.stat().st_size)))
    try:
        os.chmod(folder, 0o700)
        plain = folder / path.name
        with plain.open("wb") as out:
            for block in iter_plain(path):
                out.write(block)
        yield plain
    finally:
        shutil.rmtree(folder, ignore_errors=True)
