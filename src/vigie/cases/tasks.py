"""Background work of the cases app.

``cases.import``: import one file (vigie.cases.interchange.importer); with ``dry_run`` in its
params, only check every row and keep the report (the web import's validation step, before
confirming). Batch size ``importer.BATCH`` (2,000 rows) per transaction in both modes: atomic
mode stages its batches invisibly and publishes them in one short transaction
(vigie.cases.interchange.staging). Files of ``importer.WORKER_MIN_BYTES`` (1 MiB) or more
are read, validated and built in a forked reader process while this one writes
(vigie.cases.interchange.pipeline, ADR 312). Memory is bounded (rows are streamed, at most 3
batches in flight; at most ``checking.MAX_REPORTED`` problems are kept).
``cases.cleanup_uploads``: remove web-import uploads left untouched
(vigie.cases.interchange.uploads) and discard the stages of atomic imports nobody resumed
(vigie.cases.interchange.staging); the worker starts it once an hour.
Files larger than VIGIE_IMPORT_MAX_BYTES (2 GiB by default) are refused. Resumable: partial
mode keeps a checkpoint ``next_row`` after every batch; an atomic import resumes from its
stage's last batch (kept with the staged rows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vigie.cases.interchange import checking, importer, mapping, readers, staging, uploads
from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.errors import VigieError
from vigie.core.models import Job, Organisation, User

CLEANUP = "cases.cleanup_uploads"


def job_actor(job: Job, org: Organisation) -> Actor:
    """Who the import acts for: the user who started it (their rights are checked again:
    they may have lost them since), or the system for the reason given when it was queued."""
    params = job.params
    if params.get("user_id"):
        user = User.objects.filter(pk=params["user_id"], is_active=True).first()
        if user is None:
            raise jobs.JobError("the user who started this import is no longer active")
        return Actor(user=user, organisation_id=org.pk)
    return Actor.system(params.get("system_reason") or f"import job {job.pk}", org.pk)


@jobs.handler("cases.import")
def import_file(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    with uploads.readable(Path(job.params["path"])) as path:  # web uploads: encrypted at rest
        return _import_file(job, progress, path)


def _import_file(job: Job, progress: jobs.Progress, path: Path) -> dict[str, Any]:
    params = job.params
    org = Organisation.objects.get(pk=params["organisation_id"])
    actor = job_actor(job, org)
    fmt = params.get("format") or readers.guess_format(path)
    partial = bool(params.get("partial"))
    dry_run = bool(params.get("dry_run"))
    resume = int((job.result or {}).get("next_row") or 0) if partial else 0
    try:
        rules = mapping.load(Path(params["mapping"])) if params.get("mapping") else None
    except mapping.MappingError as exc:
        raise jobs.JobError(str(exc)) from None
    total = readers.count_rows(path, fmt)
    progress.update(0, total, "reading")

    def on_batch(done: int, message: str, report: checking.Report) -> None:
        if partial:
            progress.checkpoint(report.as_dict() | {"next_row": report.next_row})
        progress.update(done, total, message)

    try:
        report = importer.run_import(
            path,
            organisation=org,
            actor=actor,
            fmt=fmt,
            partial=partial,
            rejects=Path(params["rejects"]) if params.get("rejects") else None,
            resume_from=resume,
            progress=on_batch,
            mapping=rules,
            dry_run=dry_run,
            finish=None if dry_run else lambda report: progress.finish(report.as_dict()),
            job=str(job.pk),
        )
    except (readers.ImportFailed, VigieError) as exc:  # VigieError: a file over the limits
        raise jobs.JobError(str(exc)) from None
    result = report.as_dict()
    progress.update(report.rows, report.rows, f"{report.rows} rows read")
    if dry_run:
        return result
    if not report.written:
        progress.checkpoint(result)
        first = checking.RowProblem(**report.problems[0]) if report.problems else ""
        raise jobs.JobError(
            f"{report.rejected} invalid row(s); nothing was written. First: {first}"
        )
    return result


@jobs.handler(CLEANUP)
def cleanup_uploads(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    hours = float(job.params.get("older_than_hours", uploads.STALE_HOURS))
    progress.update(0, 1, "stale import uploads")
    removed = uploads.remove_stale(hours)
    stages = staging.discard_abandoned(hours)
    progress.update(1, 1, "done")
    return {"uploads_removed": removed, "stages_discarded": stages}


@db_periodic_task(crontab(minute="41"))
def hourly_cleanup() -> None:
    """The worker starts the cleanup job once an hour."""
    jobs.start(CLEANUP, user=Actor.system("nightly removal of old import uploads"), params={})
