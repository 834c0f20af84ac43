"""A running job's progress and cancel request, kept beside the database while its handler
holds a transaction.

An atomic import writes for minutes (about 30 at 10^6 rows on SQLite) inside one
transaction. Progress written to the job's row from inside it stays invisible to every other
connection until the commit (the page shows 0 % until the end), and on SQLite the row cannot be
written from outside either: the import holds the database's only write lock, so a cancel
request waits ``busy_timeout`` and fails. So while a handler is inside a transaction,
``jobs.Progress`` writes its progress to a small JSON file here instead, and a cancel request
leaves a flag file here that the handler checks at each flush. Readers of a running job
(``Job.from_db``) take the file's figures when they are newer than the row's.

The files live in ``DATA_DIR/job-progress/``, which the web processes and the workers share
already (import uploads are there too). They are removed when the job ends.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "job-progress"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _progress_path(job_id: Any) -> Path:
    return _folder() / f"{job_id}.json"


def _cancel_path(job_id: Any) -> Path:
    return _folder() / f"{job_id}.cancel"


def write_progress(job: Any) -> None:
    """Replace the job's progress file in one step (readers never see half a file)."""
    state = {
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "heartbeat_at": job.heartbeat_at.isoformat(),
    }
    path = _progress_path(job.pk)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, path)


def read_progress(job_id: Any) -> dict[str, Any] | None:
    """The job's progress file (``heartbeat_at`` as a datetime), or None if there is none."""
    try:
        state = json.loads(_progress_path(job_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    state["heartbeat_at"] = datetime.fromisoformat(state["heartbeat_at"])
    return dict(state)


def has_progress(job_id: Any) -> bool:
    """Whether the job is reporting through a file (its handler holds a transaction)."""
    return _progress_path(job_id).exists()


def request_cancel(job_id: Any) -> None:
    _cancel_path(job_id).touch()


def cancel_requested(job_id: Any) -> bool:
    return _cancel_path(job_id).exists()


def overlay(job: Any) -> None:
    """Give a running job loaded from the database its file's figures, if they are newer."""
    state = read_progress(job.pk)
    if state is not None and (job.heartbeat_at is None or state["heartbeat_at"] > job.heartbeat_at):
        job.done, job.total, job.message = state["done"], state["total"], state["message"]
        job.heartbeat_at = state["heartbeat_at"]
    if cancel_requested(job.pk):
        job.cancel_requested = True


def clear(job_id: Any) -> None:
    for path in (_progress_path(job_id), _cancel_path(job_id)):
        path.unlink(missing_ok=True)
