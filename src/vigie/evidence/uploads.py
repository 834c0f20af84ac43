"""Resumable uploads: a session, chunks appended in order, then one ingest.

Chunks must arrive in order (``offset`` equal to what was received); after an interruption
the client asks the session how much arrived and sends the rest. The partial file lives in
``<data dir>/evidence/uploads/`` (owner-only), encrypted as it arrives: records of
``length (4 bytes) | random nonce (12) | AES-256-GCM(piece)`` under a key derived from the
vault's file key and the session id, the associated data binding each record to its byte
offset. When the last chunk arrives it is decrypted into the same single-pass ingest as
every other file, then deleted. ``MAX_CHUNK`` bounds one request; ``MAX_SIZE`` one file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import transaction

from vigie.core.actor import Actor
from vigie.core.models import Organisation
from vigie.evidence import keys, services
from vigie.evidence.models import UploadSession

MAX_CHUNK = 16 * 1024 * 1024
MAX_SIZE = 64 * 1024 * 1024 * 1024
ABANDONED_HOURS = 48.0  # an unfinished upload idle this long is removed
SWEEP_EVERY_SECONDS = 3600  # starting an upload sweeps abandoned ones at most this often

log = logging.getLogger("vigie.evidence")


class UploadError(services.EvidenceError):
    """The chunk or session is not acceptable (409: it clashes with what arrived, and
    ``expected`` says where to resume; 400 for a bad start)."""

    default_code = "upload_conflict"
    status = 409

    def __init__(self, message: str, expected: int | None = None, *, status: int = 409) -> None:
        super().__init__(
            message,
            code="upload_conflict" if status == 409 else "upload_invalid",
            status=status,
            detail={"received": expected} if expected is not None else None,
        )
        self.expected = expected


def _dir() -> Path:
    path = keys.vault_dir() / "uploads"
    path.mkdir(exist_ok=True, mode=0o700)
    return path


def partial_path(session: UploadSession) -> Path:
    return _dir() / f"{session.uuid}.part"


def start(
    actor: Actor, organisation: Organisation, *, filename: str, size: int, fields: dict[str, Any]
) -> UploadSession:
    actor.require("evidence.add", organisation.pk)
    user = services._person(actor)
    if size < 0 or size > MAX_SIZE:
        raise UploadError(f"size {size}: must be between 0 and {MAX_SIZE} bytes", status=400)
    collection = _collection(fields)
    services._check_collection(collection)
    case = services.resolve_case(actor, organisation, collection)
    services.resolve_links(case, collection)
    sweep_if_due()
    session = UploadSession.objects.create(
        user=user,
        organisation=organisation,
        filename=services.safe_name(filename),
        size=size,
        fields=json.dumps(fields),
        key_id=keys.file_keyring()[0],
    )
    fd = os.open(partial_path(session), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return session


def _collection(fields: dict[str, Any]) -> services.Collection:
    when = fields.get("collected_at") or None
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when)
        except ValueError:
            raise UploadError(
                f"collected_at {when!r}: expected an ISO 8601 date-time", status=400
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    return services.Collection(
        case_ref=str(fields.get("case_ref") or ""),
        description=str(fields.get("description") or ""),
        collected_at=when,
        collected_by=str(fields.get("collected_by") or ""),
        place=str(fields.get("place") or ""),
        consent=str(fields.get("consent") or ""),
        external_case=fields.get("external_case") in (True, "true", "on", "1", 1),
        perpetrators=[str(x) for x in fields.get("perpetrators") or []],
        incidents=[str(x) for x in fields.get("incidents") or []],
    )


def append(session: UploadSession, offset: int, stream: BinaryIO, length: int) -> int:
    """Append ``length`` bytes at ``offset``; returns the bytes received so far."""
    if session.item_id is not None:
        raise UploadError("this upload is already complete", session.size)
    if offset != session.received:
        raise UploadError(
            f"chunk starts at byte {offset} but {session.received} bytes have arrived; "
            f"resume from {session.received}",
            session.received,
        )
    if length <= 0 or length > MAX_CHUNK:
        raise UploadError(f"chunk of {length} bytes: must be 1 to {MAX_CHUNK} bytes")
    if offset + length > session.size:
        raise UploadError(
            f"chunk ends at byte {offset + length}, past the declared size {session.size}",
            session.received,
        )
    path = partial_path(session)
    aead = _aead(session)
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.received != offset:
            raise UploadError(f"resume from {locked.received}", locked.received)
        with path.open("r+b") as out:
            out.truncate(locked.stored)  # drop any tail of a chunk that failed half-way
            out.seek(locked.stored)
            remaining, position = length, offset
            while remaining:
                piece = stream.read(min(remaining, 1 << 20))
                if not piece:
                    raise UploadError(
                        f"the chunk ended after {length - remaining} of {length} bytes; "
                        f"resume from {offset}",
                        offset,
                    )
                nonce = os.urandom(12)
                sealed = aead.encrypt(nonce, piece, _record_aad(session, position))
                out.write(len(sealed).to_bytes(4, "big") + nonce + sealed)
                remaining -= len(piece)
                position += len(piece)
            out.flush()
            os.fsync(out.fileno())
            locked.stored = out.tell()
        locked.received = offset + length
        locked.save(update_fields=["received", "stored"])
    session.received, session.stored = locked.received, locked.stored
    return session.received


def _aead(session: UploadSession) -> AESGCM:
    _active, ring = keys.file_keyring()
    if session.key_id not in ring:
        raise UploadError(f"the key {session.key_id!r} of this upload is no longer in the keyring")
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=session.uuid.bytes, info=b"vigie-upload-v1"
    )
    return AESGCM(hkdf.derive(ring[session.key_id]))


def _record_aad(session: UploadSession, offset: int) -> bytes:
    return session.uuid.bytes + offset.to_bytes(8, "big")


class _Decrypting(io.RawIOBase):
    """Reads the plaintext back from the encrypted partial file, record by record."""

    def __init__(self, handle: BinaryIO, session: UploadSession) -> None:
        self.handle, self.session, self.aead = handle, session, _aead(session)
        self.position, self.buffer = 0, b""

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        size = self.handle.read(4)
        if not size:
            return b""
        nonce = self.handle.read(12)
        sealed = self.handle.read(int.from_bytes(size, "big"))
        try:
            piece = self.aead.decrypt(nonce, sealed, _record_aad(self.session, self.position))
        except InvalidTag:
            raise UploadError(
                f"the partial upload is damaged at byte {self.position}; start it again"
            ) from None
        self.position += len(piece)
        return piece

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buffer) < n:
            piece = self._next()
            if not piece:
                break
            self.buffer += piece
        if n < 0:
            out, self.buffer = self.buffer, b""
        else:
            out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out


def complete(actor: Actor, session: UploadSession) -> services.Ingested:
    if session.received != session.size:
        raise UploadError(
            f"{session.received} of {session.size} bytes have arrived; send the rest first",
            session.received,
        )
    if session.item_id is not None:
        raise UploadError("this upload is already complete", session.size)
    path = partial_path(session)
    with path.open("rb") as handle:
        got = services.ingest(
            actor,
            session.organisation,
            _Decrypting(handle, session),  # type: ignore[arg-type]
            name=session.filename,
            collection=_collection(json.loads(session.fields or "{}")),
        )
    session.item = got.item
    session.save(update_fields=["item"])
    path.unlink(missing_ok=True)
    return got


def _last_activity(session: UploadSession) -> float:
    """When the upload last received bytes (its partial file's time), else its start."""
    try:
        return max(partial_path(session).stat().st_mtime, session.created_at.timestamp())
    except FileNotFoundError:
        return session.created_at.timestamp()


def remove_abandoned(older_than_hours: float = ABANDONED_HOURS) -> int:
    """Remove unfinished uploads idle for longer than ``older_than_hours`` (their partial
    file and their session), and partial files that no session owns. Each is logged.
    Returns how many uploads were removed."""
    limit = time.time() - older_than_hours * 3600
    removed = 0
    for session in UploadSession.objects.filter(item__isnull=True).select_related("user"):
        if _last_activity(session) >= limit:
            continue
        partial_path(session).unlink(missing_ok=True)
        session.delete()
        log.info(
            "removed abandoned upload %s (%s, %d of %d bytes, by %s; idle over %s hours)",
            session.uuid,
            session.filename,
            session.received,
            session.size,
            session.user.username,
            older_than_hours,
        )
        removed += 1
    known = {str(u) for u in UploadSession.objects.values_list("uuid", flat=True)}
    for path in _dir().glob("*.part"):
        if path.stem not in known and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            log.info("removed partial upload file %s that no upload owns", path.name)
            removed += 1
    return removed


def sweep_if_due() -> None:
    """Called when an upload starts: sweep abandoned uploads at most once an hour."""
    marker = _dir() / ".last-sweep"
    try:
        if time.time() - marker.stat().st_mtime < SWEEP_EVERY_SECONDS:
            return
    except FileNotFoundError:
        pass
    marker.touch()
    remove_abandoned()
