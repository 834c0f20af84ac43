"""The content-addressed, encrypted, immutable object store.

An object is named by the SHA-256 of its plaintext bytes and kept at
``<data dir>/evidence/objects/ab/cd/<sha256>``. Bytes are hashed (SHA-256 and SHA-512) and
encrypted in one streaming pass while they are written to a temporary file; the file is
fsynced, then renamed into place (atomic), then the directory is fsynced. Only then does
the caller write the database rows, in one transaction. A crash before the rename leaves
only a temporary file (removed by a later batched ingest once it is a day old); a crash
after it leaves an unreferenced object that ``verify`` reports and that the next ingest of
the same bytes reuses.

Object format (version 1)::

    b"VGEV1\\n" | len(key id) (1 byte) | key id | salt (16 bytes) | chunk*

Each chunk holds up to ``CHUNK`` plaintext bytes sealed with AES-256-GCM under
HKDF-SHA256(master key, salt); nonce = chunk number (12 bytes, big-endian); associated data =
chunk number (8 bytes) || final flag (1 byte), so a truncated, extended or reordered object
fails to decrypt. The storage is one interface (:class:`ObjectStore`); the local filesystem is
the embedded default (S3-compatible storage: vigie.evidence.s3store). The format, the file
keys and the streaming pass's buffers are in vigie.evidence.sealing.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import hashlib
import os
import secrets
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag

from vigie.core.errors import Unavailable, VigieError
from vigie.evidence import keys
from vigie.evidence.sealing import (
    BATCH,
    BUFFERS,
    CHUNK,
    MAGIC,
    TAG,
    _aad,
    _buffers,
    _file_key,
    _fill,
    _hash_pools,
    _nonce,
)

HEAD_BYTES = 64 * 1024  # kept from the first bytes for file-type detection
STALE_TMP_SECONDS = 24 * 3600


class StoreError(Unavailable):
    """Storing failed; nothing was kept. The message says why in words a person can act on."""

    default_code = "store_failed"


class ContentMismatch(VigieError):
    """Stored bytes do not match what was received (``where`` says which chunk)."""

    default_code = "content_mismatch"
    status = 500


@dataclass(frozen=True)
class Stored:
    sha256: str
    sha512: str
    size: int
    key_id: str
    head: bytes
    created: bool  # False: the same bytes were already stored (a duplicate)


@dataclass(frozen=True)
class Staged:
    """An object written to a temporary file, not yet durable nor in place.

    ``plain`` holds the received bytes when the caller asked for them (``keep_plain``) and
    the source was no larger than that: metadata extraction then reads them, not the object.
    """

    tmp: Path
    stored: Stored
    plain: bytes | None = None


ADVISE_EVERY = 64 << 20  # start the disk write-back of what was written every 64 MiB
WRITEBACK_FROM = 64 << 10  # unsynced objects from this size: write-back started at once

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)

INLINE_BELOW = 256 * 1024  # smaller batches are hashed here: a thread hop costs more
SYNC_THREADS = 16  # concurrent fsyncs when a batch of objects is made durable at once


def _fsync_path(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_syncfs() -> Any:
    """libc's ``syncfs(2)`` (Linux only; Python's os module has no wrapper), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
    return fn


_SYNCFS = _load_syncfs()


def syncfs(path: Path | str) -> bool:
    """Flush every written file and directory of the file system holding ``path`` (one
    ``syncfs(2)``, which waits for the writes and reports their errors since Linux 5.8);
    False where it does not exist (the caller then fsyncs file by file)."""
    if _SYNCFS is None:
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(path))
    finally:
        os.close(fd)
    return True


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _explain(exc: OSError, where: Path, done: int) -> StoreError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(
            f"the disk holding {where} is full after {done} bytes; nothing was kept. "
            "Free space (or move VIGIE_DATA_DIR) and add the file again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(
            f"permission denied writing to {where} ({exc.strerror}); nothing was kept. "
            "Check that the Vigie process owns its data directory."
        )
    return StoreError(f"could not store the file in {where}: {exc.strerror or exc}")


class ObjectStore:
    """Local-filesystem object store (the embedded default)."""

    local = True  # objects are files under ``objects/`` (their folders are fsynced)

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or keys.vault_dir()
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"
        self._dirs: set[str] = set()  # folders known to exist (made or seen by this store)

    def path_of(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()

    def sweep_temporary(self) -> int:
        """Delete temporary objects left by interrupted ingests: those untouched for a day
        (a running ingest writes or renames its own well before that, so another process's
        current files are not taken). Called when a batched ingest starts."""
        removed = 0
        if not self.tmp.exists():
            return 0
        limit = time.time() - STALE_TMP_SECONDS
        for p in self.tmp.glob("ingest-*"):
            try:
                if p.stat().st_mtime < limit:
                    p.unlink()
                    removed += 1
            except FileNotFoundError:  # renamed into place (or removed) by its own ingest
                continue
        return removed

    def put(self, source: BinaryIO) -> Stored:
        """Hash, encrypt and store everything ``source`` yields, in one pass."""
        staged = self.stage(source, sync=True)
        try:
            created = self._commit(staged.tmp, staged.stored.sha256)
        except OSError as exc:
            staged.tmp.unlink(missing_ok=True)
            raise _explain(exc, self.root, staged.stored.size) from exc
        except BaseException:
            staged.tmp.unlink(missing_ok=True)
            raise
        return dataclasses.replace(staged.stored, created=created)

    def put_many(self, staged: list[Staged]) -> list[Stored]:
        """Make a batch of staged objects durable and move them into place.

        Local store on Linux: one ``syncfs(2)`` makes every staged object's bytes durable,
        then they are renamed into place, then a second ``syncfs`` makes the new names
        durable: two flushes of the file system per batch instead of one fsync per object and
        per folder. An object gets its final name only once its bytes are on disk, so a crash
        at any moment leaves either a temporary file or a whole object under its name, never
        a partial object that a later ingest of the same bytes would take for a copy.
        Elsewhere (and on S3, whose temporary files are local) the temporary files are
        fsynced concurrently (the file system folds concurrent flushes into few journal
        commits), renamed (uploaded), and their folders fsynced. On failure, the objects not
        yet in place are removed."""
        out: list[Stored] = []
        pool: ThreadPoolExecutor | None = None
        try:
            if not (self.local and staged and syncfs(self.root)):
                pool = ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="vigie-sync")
                list(pool.map(_fsync_path, [s.tmp for s in staged]))
            dirs: set[str] = set()
            for one in staged:
                created = self._commit(one.tmp, one.stored.sha256, sync_dir=False)
                if created and self.local:
                    dirs.add(os.path.dirname(self._path_str(one.stored.sha256)))
                out.append(dataclasses.replace(one.stored, created=created))
            if dirs and (pool is not None or not syncfs(self.root)):
                pool = pool or ThreadPoolExecutor(max_workers=SYNC_THREADS)
                list(pool.map(_fsync_path, sorted(dirs)))
        except OSError as exc:
            for one in staged:
                one.tmp.unlink(missing_ok=True)
            raise _explain(exc, self.root, 0) from exc
        except BaseException:
            for one in staged:
                one.tmp.unlink(missing_ok=True)
            raise
        finally:
            if pool is not None:
                pool.shutdown()
        return out

    def stage(
        self,
        source: BinaryIO,
        *,
        sync: bool = True,
        key: tuple[str, bytes] | None = None,
        keep_plain: int = 0,
    ) -> Staged:
        """Hash, encrypt and write everything ``source`` yields to a temporary file.

        The source is read in batches of ``BATCH`` bytes into rotating buffers (no copy);
        SHA-256 and SHA-512 each run in their own thread on every batch while this thread
        encrypts it into a reused buffer and writes it. hashlib and AES-GCM release the GIL
        on large buffers, so the three use the available cores. The kernel is asked to start
        writing each 64 MiB to disk as soon as it is written, so the final fsync waits for
        little. ``sync`` False leaves the fsync to :meth:`put_many`; ``key`` (id, master key)
        spares reading the keyring for each of many files; with ``keep_plain`` the bytes of a
        source no larger than that (and than one batch) are returned in ``Staged.plain``.

        The temporary file is created read-only (0400: the open descriptor may still write)
        under an unguessable name with O_EXCL, in one system call.
        """
        tmp_name = os.path.join(self.tmp, f"ingest-{secrets.token_hex(8)}")
        try:
            try:
                fd = os.open(tmp_name, _CREATE, 0o400)
            except FileNotFoundError:
                self.tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(tmp_name, _CREATE, 0o400)
        except OSError as exc:
            raise _explain(exc, self.tmp, 0) from exc
        tmp = Path(tmp_name)
        done = 0
        plain: bytes | None = None
        busy: list[list[Future[None]]] = [[] for _ in range(BUFFERS)]
        try:
            kid, master = key or self._active_key()
            salt = os.urandom(16)
            aead = _file_key(master, salt)
            h256, h512 = hashlib.sha256(), hashlib.sha512()
            header = MAGIC + bytes([len(kid)]) + kid.encode() + salt
            written, advised = 0, 0
            buffers, out_view = _buffers()
            out_view[: len(header)] = header
            head = b""
            slot, index = 0, 0
            current = buffers[0][: _fill(source, buffers[0])]
            while True:
                following_slot = (slot + 1) % BUFFERS
                for job in busy[following_slot]:  # its last hashes must be over
                    job.result()
                nxt = buffers[following_slot]
                following = nxt[: _fill(source, nxt)] if len(current) == BATCH else nxt[:0]
                final = len(following) == 0
                if len(current) < INLINE_BELOW:
                    h256.update(current)
                    h512.update(current)
                else:
                    p256, p512 = _hash_pools()
                    busy[slot] = [
                        p256.submit(h256.update, current),
                        p512.submit(h512.update, current),
                    ]
                if final and index == 0 and len(current) <= keep_plain:
                    plain = bytes(current)
                    head = plain[:HEAD_BYTES]
                elif len(head) < HEAD_BYTES:
                    head += bytes(current[: HEAD_BYTES - len(head)])
                # Encrypt the batch chunk by chunk (an empty source is one empty chunk),
                # after the header the first time (one write for a small file).
                pos, o = 0, len(header) if index == 0 else 0
                while True:
                    piece = current[pos : pos + CHUNK]
                    last = final and pos + CHUNK >= len(current)
                    size = len(piece) + TAG
                    aead.encrypt_into(
                        _nonce(index), piece, _aad(index, last), out_view[o : o + size]
                    )
                    o += size
                    pos += len(piece)
                    index += 1
                    if pos >= len(current):
                        break
                _write_all(fd, out_view[:o])
                written += o
                done += len(current)
                if written - advised >= ADVISE_EVERY and hasattr(os, "posix_fadvise"):
                    # Starts the write-back of these pages now (Linux), not at fsync.
                    os.posix_fadvise(fd, advised, written - advised, os.POSIX_FADV_DONTNEED)
                    advised = written
                if final:
                    break
                slot, current = following_slot, following
            for job in busy[slot]:
                job.result()
            if sync:
                os.fsync(fd)
            elif written - advised >= WRITEBACK_FROM and hasattr(os, "posix_fadvise"):
                # Start writing it to disk now, while the next files are read: the flush of
                # the batch (put_many) then waits for little.
                os.posix_fadvise(fd, advised, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
            fd = -1
            stored = Stored(h256.hexdigest(), h512.hexdigest(), done, kid, head, False)
            return Staged(tmp, stored, plain)
        except OSError as exc:
            self._abandon(fd, tmp, [j for jobs in busy for j in jobs])
            raise _explain(exc, self.root, done) from exc
        except BaseException:
            self._abandon(fd, tmp, [j for jobs in busy for j in jobs])
            raise

    @staticmethod
    def _abandon(fd: int, tmp: Path, pending: list[Future[None]]) -> None:
        for job in pending:  # no hash thread may still read a buffer
            job.cancel() or job.exception()
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)

    def _path_str(self, sha256: str) -> str:
        return os.path.join(self.objects, sha256[:2], sha256[2:4], sha256)

    def _make_dirs(self, folder: str) -> None:
        """``folder`` and its parents (0700), remembered once made or seen."""
        if folder in self._dirs:
            return
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except FileNotFoundError:
            self._dirs.discard(os.path.dirname(folder))  # removed behind the store's back
            self._make_dirs(os.path.dirname(folder))
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, 0o700)
        self._dirs.add(folder)

    def _commit(self, tmp: Path, sha256: str, sync_dir: bool = True) -> bool:
        """Move the finished temporary object into place; False if it was already there."""
        final_path = self._path_str(sha256)
        if os.path.exists(final_path):
            os.unlink(tmp)
            return False
        folder = os.path.dirname(final_path)
        self._make_dirs(folder)
        try:
            os.replace(tmp, final_path)  # created 0400 by stage()
        except FileNotFoundError:
            if not os.path.exists(tmp):
                raise
            self._dirs.clear()  # a folder was removed since it was made: make it again
            self._make_dirs(folder)
            os.replace(tmp, final_path)
        if sync_dir:
            _fsync_path(folder)
        return True

    def _open_raw(self, sha256: str) -> BinaryIO:
        path = self.path_of(sha256)
        if not path.exists():
            raise ContentMismatch(f"object {sha256} is missing from {path.parent}")
        return path.open("rb")

    def _active_key(self) -> tuple[str, bytes]:
        active, ring = keys.file_keyring()
        return active, ring[active]

    def open(self, sha256: str) -> Iterator[bytes]:
        """Yield the plaintext in chunks; raise ContentMismatch at the first bad chunk."""
        _active, ring = keys.file_keyring()
        with self._open_raw(sha256) as f:
            if f.read(len(MAGIC)) != MAGIC:
                raise ContentMismatch(f"object {sha256}: header is not a Vigie object header")
            kid_len = f.read(1)
            kid = f.read(kid_len[0] if kid_len else 0).decode("ascii", "replace")
            if kid not in ring:
                raise ContentMismatch(f"object {sha256}: key {kid!r} is not in the keyring")
            salt = f.read(16)
            aead = _file_key(ring[kid], salt)
            index = 0
            block = f.read(CHUNK + TAG)
            while True:
                following = f.read(CHUNK + TAG) if len(block) == CHUNK + TAG else b""
                final = not following
                try:
                    yield aead.decrypt(_nonce(index), block, _aad(index, final))
                except InvalidTag:
                    raise ContentMismatch(
                        f"object {sha256}: chunk {index} (bytes {index * CHUNK}-"
                        f"{index * CHUNK + max(len(block) - TAG, 0)}) fails authentication: "
                        "the stored bytes were changed, truncated or reordered"
                    ) from None
                if final:
                    return
                index += 1
                block = following

    def check(self, sha256: str, sha512: str, size: int) -> str | None:
        """Re-hash an object; None if it is intact, else what is wrong."""
        h256, h512, n = hashlib.sha256(), hashlib.sha512(), 0
        try:
            for chunk in self.open(sha256):
                h256.update(chunk)
                h512.update(chunk)
                n += len(chunk)
        except ContentMismatch as exc:
            return str(exc)
        if n != size:
            return f"object {sha256}: {n} bytes stored, {size} recorded"
        if h256.hexdigest() != sha256 or h512.hexdigest() != sha512:
            return f"object {sha256}: bytes decrypt but hash to {h256.hexdigest()}"
        return None

    def stored_names(self) -> Iterator[str]:
        if not self.objects.exists():
            return
        for p in self.objects.glob("*/*/*"):
            yield p.name


def default_store() -> ObjectStore:
    if os.environ.get("VIGIE_EVIDENCE_S3_BUCKET"):
        from vigie.evidence.s3store import S3ObjectStore

        return S3ObjectStore.from_env()
    return ObjectStore()
