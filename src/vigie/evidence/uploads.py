"""Resumable uploads: a session, chunks appended in order, then one ingest.

Chunks must arrive in order (``offset`` equal to what was received); after an interruption
the client asks the session how much arrived and sends the rest. The partial file lives in
``<data dir>/evidence/uploads/`` (owner-only) until the last chunk arrives, then goes through
the same single-pass ingest as every other file and is deleted. ``MAX_CHUNK`` bounds one
request; ``MAX_SIZE`` bounds one file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction

from vigie.core import access
from vigie.core.models import Organisation
from vigie.evidence import keys, services
from vigie.evidence.models import UploadSession

MAX_CHUNK = 16 * 1024 * 1024
MAX_SIZE = 64 * 1024 * 1024 * 1024


class UploadError(services.EvidenceError):
    """The chunk or session is not acceptable; ``expected`` says where to resume."""

    def __init__(self, message: str, expected: int | None = None) -> None:
        super().__init__(message)
        self.expected = expected


def _dir() -> Path:
    path = keys.vault_dir() / "uploads"
    path.mkdir(exist_ok=True, mode=0o700)
    return path


def partial_path(session: UploadSession) -> Path:
    return _dir() / f"{session.uuid}.part"


def start(
    user: Any, organisation: Organisation, *, filename: str, size: int, fields: dict[str, Any]
) -> UploadSession:
    if not access.has_perm(user, "evidence.add", organisation.pk):
        raise PermissionDenied
    if size < 0 or size > MAX_SIZE:
        raise UploadError(f"size {size}: must be between 0 and {MAX_SIZE} bytes")
    services._check_collection(_collection(fields))
    session = UploadSession.objects.create(
        user=user,
        organisation=organisation,
        filename=services.safe_name(filename),
        size=size,
        fields=json.dumps(fields),
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
            raise UploadError(f"collected_at {when!r}: expected an ISO 8601 date-time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    return services.Collection(
        case_ref=str(fields.get("case_ref") or ""),
        description=str(fields.get("description") or ""),
        collected_at=when,
        collected_by=str(fields.get("collected_by") or ""),
        place=str(fields.get("place") or ""),
        consent=str(fields.get("consent") or ""),
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
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().get(pk=session.pk)
        if locked.received != offset:
            raise UploadError(f"resume from {locked.received}", locked.received)
        with path.open("r+b") as out:
            out.truncate(offset)  # drop any tail of a chunk that failed half-way
            out.seek(offset)
            remaining = length
            while remaining:
                piece = stream.read(min(remaining, 1 << 20))
                if not piece:
                    raise UploadError(
                        f"the chunk ended after {length - remaining} of {length} bytes; "
                        f"resume from {offset}",
                        offset,
                    )
                out.write(piece)
                remaining -= len(piece)
            out.flush()
            os.fsync(out.fileno())
        locked.received = offset + length
        locked.save(update_fields=["received"])
    session.received = offset + length
    return session.received


def complete(user: Any, session: UploadSession) -> services.Ingested:
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
            user,
            session.organisation,
            handle,
            name=session.filename,
            collection=_collection(json.loads(session.fields or "{}")),
        )
    session.item = got.item
    session.save(update_fields=["item"])
    path.unlink(missing_ok=True)
    return got
