"""Uploaded transaction files: kept encrypted under the data directory until their import job
succeeds (a failed job keeps its file for a retry, for ``STALE_HOURS``: the hourly cleanup
removes older ones, as it does case import uploads; ADR 0053). They name account holders and
numbers (identity): written with ``vigie.core.filecrypt`` as case import uploads are (ADR
0022), and read through a private plaintext copy only while the job runs (ADR 0059)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from vigie.core import filecrypt, jobs
from vigie.core.actor import Actor
from vigie.core.errors import Invalid, TooLarge
from vigie.core.models import Job
from vigie.finance import mapping, tasks

MAX_UPLOAD = 2 * 1024**3
SUFFIXES = {".csv", ".txt", ".xlsx", ".xml"}
STALE_HOURS = 48.0  # as the case import's uploads: time to retry a failed import
logger = logging.getLogger("vigie.finance")


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "finance" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save(upload: Any, target: Path) -> None:
    with target.open("wb") as out:
        filecrypt.encrypt_stream(upload.chunks(), out)


def start_import(
    actor: Actor, organisation: Any, upload: Any, mapping_upload: Any, *, partial: bool
) -> Job:
    """Keep the upload (and its mapping, checked now) and queue its import job."""
    actor.require("finance.import", organisation.pk)
    if upload is None:
        raise Invalid("Choose a file of transactions.", code="file_required")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid(
            f"{upload.name}: a CSV or XLSX file, a camt.053 statement or a goAML report "
            "(XML) is expected.",
            code="file_type",
        )
    if upload.size > MAX_UPLOAD:
        raise TooLarge(f"{upload.name}: larger than {MAX_UPLOAD // 1024**3} GiB.")
    stem = uuid.uuid4().hex
    path = upload_dir() / f"{stem}{suffix}"
    _save(upload, path)
    mapping_path = None
    if mapping_upload is not None:
        text = mapping_upload.read(256 * 1024).decode("utf-8", "replace")
        mapping.parse(text, mapping_upload.name or "mapping")  # refuse a bad mapping now
        mapping_path = upload_dir() / f"{stem}.mapping.yaml"
        mapping_path.write_text(text, encoding="utf-8")
    with transaction.atomic():
        return jobs.start(
            tasks.IMPORT,
            user=actor,
            organisation=organisation,
            params={
                "path": str(path),
                "mapping": str(mapping_path) if mapping_path else None,
                "partial": partial,
                "name": upload.name,
            },
        )


def remove_stale(older_than_hours: float = STALE_HOURS) -> int:
    """Remove the uploads (and mapping files) of failed or abandoned imports not modified
    for ``older_than_hours``; the number of files removed."""
    return jobs.remove_stale_uploads(
        upload_dir(), tasks.IMPORT, older_than_hours, "transaction upload", logger
    )
