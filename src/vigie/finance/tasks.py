"""Background jobs of the finance app.

``finance.import``: one transaction file (params: path, mapping path or None, partial,
name); DuckDB does the work in a few scans, so progress moves by phase (reading,
checking, writing, recording). ``finance.run``: the whole rule library and the account
scores for one organisation. Both run as the user who started them. ``finance.cleanup``,
started by the worker every hour: removes the uploads of failed or abandoned imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vigie.core import filecrypt, jobs
from vigie.core.actor import Actor
from vigie.core.models import Job

IMPORT = "finance.import"
RUN = "finance.run"
CLEANUP = "finance.cleanup"


def _actor(job: Job) -> Actor:
    if job.created_by is not None:
        return Actor(user=job.created_by, organisation_id=job.organisation_id)
    return Actor.system(job.params.get("reason") or job.kind, job.organisation_id)


@jobs.handler(IMPORT)
def import_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.finance import mapping, services, uploads

    params = job.params
    mapped = mapping.load(Path(params["mapping"]) if params.get("mapping") else None)
    upload = Path(params["path"])
    with filecrypt.readable(upload) as plain:  # the upload is encrypted at rest (ADR 0059)
        result = services.import_transactions(
            _actor(job),
            job.organisation,
            plain,
            mapped,
            partial=bool(params.get("partial")),
            name=params.get("name"),
            progress=lambda done, total, message: progress.update(done, total, message),
        )
    if upload.parent == uploads.upload_dir():  # imported: the upload has no further use
        upload.unlink(missing_ok=True)
        if params.get("mapping"):
            Path(params["mapping"]).unlink(missing_ok=True)
    return result.as_dict()


@jobs.handler(RUN)
def run_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.finance import services

    progress.update(0, 1, "running the red-flag rules")
    result = services.run_rules(_actor(job), job.organisation, job.params.get("only"))
    progress.update(1, 1, "done")
    return result.as_dict()


@jobs.handler(CLEANUP)
def cleanup(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.finance import uploads

    hours = float(job.params.get("older_than_hours", uploads.STALE_HOURS))
    progress.update(0, 1, "stale transaction uploads")
    removed = uploads.remove_stale(hours)
    progress.update(1, 1, "done")
    return {"uploads_removed": removed}


@db_periodic_task(crontab(minute="47"))
def hourly_cleanup() -> None:
    """The worker starts the cleanup job once an hour."""
    jobs.start(CLEANUP, user=Actor.system("hourly removal of stale transaction uploads"), params={})
